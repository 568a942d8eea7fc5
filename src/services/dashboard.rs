//! The Home page's dashboard: reads the packages and alert rules, the
//! licenses' figures from the list snapshot and the few licenses it lists
//! in full (`expiring.rs`), and lets the domain count them.

use chrono::NaiveDate;

use crate::domain::{dashboard_horizon, AlertRule, Dashboard, DashboardTally, Package, User};
use crate::services::expiring::read_expiring;
use crate::storage::{Repository, StorageError};

/// The dashboard for `today`, with the notifications due to `users`.
pub async fn load_dashboard<R: Repository>(
    repo: &R,
    users: &[User],
    today: NaiveDate,
) -> Result<Dashboard, StorageError> {
    let packages: Vec<Package> = repo.list_records::<Package>().await?;
    let rules: Vec<AlertRule> = repo.list_records::<AlertRule>().await?;
    let mut tally = DashboardTally::new(&packages, today);
    let listed = read_expiring(repo, today, dashboard_horizon(&rules), &mut |l| {
        tally.add(l)
    })
    .await?;
    Ok(tally.finish(&listed, &rules, users))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{build_demo_data, save_demo_data, DemoSize};
    use crate::domain::dashboard;
    use crate::storage::MemoryRepository;
    use futures::executor::block_on;

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

    /// The counts from the list snapshot's entries and the few licenses
    /// read in full are those of every full license.
    #[test]
    fn the_dashboard_from_the_snapshot_is_the_dashboard_of_the_records() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = build_demo_data(today, today.and_hms_opt(9, 0, 0).unwrap(), DemoSize::Normal);
        let whole = dashboard(&d.licenses, &d.packages, &d.alert_rules, &d.users, today);
        let users = d.users.clone();
        let repo = MemoryRepository::new();
        block_on(save_demo_data(&repo, d)).unwrap();
        let read = block_on(load_dashboard(&repo, &users, today)).unwrap();
        assert_eq!(read, whole);
        assert!(!read.notifications.is_empty() && !read.expiring_soon.is_empty());
        // A day later, the weeks and what is due move the same way.
        let tomorrow = today.succ_opt().unwrap();
        let all = block_on(repo.list_records::<crate::domain::License>()).unwrap();
        let rules = block_on(repo.list_records::<AlertRule>()).unwrap();
        let packages = block_on(repo.list_records::<Package>()).unwrap();
        assert_eq!(
            block_on(load_dashboard(&repo, &users, tomorrow)).unwrap(),
            dashboard(&all, &packages, &rules, &users, tomorrow)
        );
    }
}
