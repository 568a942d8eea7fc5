pub mod layout;
pub mod record;
pub mod user_switcher;
