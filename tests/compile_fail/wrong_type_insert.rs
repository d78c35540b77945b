sqlcore::table! { users (id) { id -> Integer, name -> Text, email -> Nullable<Text> } }

fn main() {
    let _ = sqlcore::typed::insert_into(users::table).value(users::id, "one");
}
