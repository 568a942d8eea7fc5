//! The Home page's dashboard: reads the licenses, packages and alert rules
//! and lets the domain count them.

use chrono::NaiveDate;

use crate::domain::{dashboard, AlertRule, Dashboard, License, Package, User};
use crate::storage::{Repository, StorageError};

/// The dashboard for `today`, with the notifications due to `users`.
pub async fn load_dashboard<R: Repository>(
    repo: &R,
    users: &[User],
    today: NaiveDate,
) -> Result<Dashboard, StorageError> {
    let licenses: Vec<License> = repo.list_records::<License>().await?;
    let packages: Vec<Package> = repo.list_records::<Package>().await?;
    let rules: Vec<AlertRule> = repo.list_records::<AlertRule>().await?;
    Ok(dashboard(&licenses, &packages, &rules, users, today))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{build_demo_data, DemoSize};

    #[test]
    fn dashboard_of_the_demo() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = build_demo_data(today, today.and_hms_opt(9, 0, 0).unwrap(), DemoSize::Normal);
        let dash = dashboard(&d.licenses, &d.packages, &d.alert_rules, &d.users, today);
        assert_eq!(dash.total, 190);
        assert_eq!(dash.by_status.iter().map(|(_, n)| n).sum::<u64>(), 190);
        assert_eq!(dash.seats.len(), 4);
        let fieldforce = dash
            .seats
            .iter()
            .find(|p| p.package == "FieldForce Scheduler")
            .unwrap();
        assert_eq!(fieldforce.licensed, 0);
        assert!(fieldforce.site_licenses > 0);
        let vault = dash
            .seats
            .iter()
            .find(|p| p.package == "Contract Vault")
            .unwrap();
        assert!(vault.licensed > 0 && vault.used > 0);
        assert_eq!(dash.expirations.len(), 13);
        assert_eq!(dash.expirations[0].0, today);
        let within_90: u64 = dash.expirations.iter().map(|(_, n)| n).sum();
        assert!(within_90 >= dash.expiring_soon.len() as u64);
        assert!(!dash.expiring_soon.is_empty());
        assert!(!dash.notifications.is_empty());
        assert!(dash
            .notifications
            .iter()
            .all(|n| n.mailto.contains("subject=") && n.mailto.contains("body=")));
    }
}
