sqlcore::table! { users (id) { id -> Integer, name -> Text } }

fn main() {
    let _ = users::name.eq(5);
}
