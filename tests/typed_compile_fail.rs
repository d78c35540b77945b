//! Typed tables reject at compile time what the database would reject (or silently accept) at
//! run time: a comparison with a value of another type, an insert of a value of another type,
//! and a column of another table where a typed INSERT's column goes.

#[test]
fn typed_misuse_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
}
