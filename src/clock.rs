//! The current time as the catalog (`imports.started_at`) and the index (`lanshelf.json`) write
//! it. Shared by every module; owns nothing else.

/// The current UTC time as `YYYY-MM-DD HH:MM:SS`.
pub fn now_utc() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    now.format(&fmt).unwrap_or_default()
}
