pub mod layout;
pub mod record;
pub mod user_switcher;
pub mod license_parts;
pub mod license_table;
