sqlcore::table! { users (id) { id -> Integer, name -> Text } }
sqlcore::table! { posts (id) { id -> Integer, title -> Text } }

fn main() {
    let _ = sqlcore::typed::insert_into(users::table).value(posts::title, "hello");
}
