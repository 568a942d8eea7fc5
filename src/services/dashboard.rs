//! The Home page's one read: the dashboard and the notifications due, both
//! counted from the licenses list's snapshot in one pass, with only the
//! licenses Home lists read in full (the first 50 expiring soon, those of
//! the first 5 notifications due: at 100,000 licenses, 14,843 expired
//! within the alert horizon and were read in full twice, for the dashboard
//! and again for the queue).

use chrono::NaiveDate;

use crate::domain::{
    notification_queue, AlertRule, Dashboard, DashboardTally, DueTally, NotificationRecord,
    Package, QueueItem, SfId, User, DUE_SHOWN,
};
use crate::services::expiring::{read_licenses, visit_figures};
use crate::storage::{Repository, StorageError};

/// What Home shows below its demo controls.
#[derive(Debug, Clone, PartialEq)]
pub struct HomeFigures {
    pub dashboard: Dashboard,
    /// How many notifications are due ...
    pub due_count: usize,
    /// ... and the first [`DUE_SHOWN`] of them.
    pub due: Vec<QueueItem>,
    /// The packages' IDs and names, for the expiring licenses' Package.
    pub package_names: Vec<(SfId, String)>,
}

/// Home for `today`, with the notifications due to `users`.
pub async fn load_home<R: Repository>(
    repo: &R,
    users: &[User],
    today: NaiveDate,
) -> Result<HomeFigures, StorageError> {
    let packages: Vec<Package> = repo.list_records::<Package>().await?;
    let rules: Vec<AlertRule> = repo.list_records::<AlertRule>().await?;
    let stored: Vec<NotificationRecord> = repo.list_records::<NotificationRecord>().await?;
    let mut tally = DashboardTally::new(&packages, today);
    let mut due = DueTally::new(&rules, users, &stored, today);
    visit_figures(repo, &mut |figures| {
        tally.add(figures);
        due.add(figures);
    })
    .await?;
    let mut wanted: Vec<String> = tally
        .listed()
        .chain(due.listed())
        .map(|id| id.to18().to_string())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let listed = read_licenses(repo, &wanted).await?;
    let mut first_due = notification_queue(&rules, &listed, users, &stored, today).due;
    first_due.truncate(DUE_SHOWN);
    Ok(HomeFigures {
        due_count: due.count(),
        due: first_due,
        dashboard: tally.finish(&listed),
        package_names: packages
            .iter()
            .map(|p| (p.id.clone(), p.name.to_string()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{build_demo_data, save_demo_data, DemoSize};
    use crate::domain::{dashboard, License, NoticeAbout, VersionNumber};
    use crate::services::notifications::{mark_notification_sent, snooze_notification};
    use crate::storage::MemoryRepository;
    use chrono::Days;
    use futures::executor::block_on;

    fn demo_day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn dashboard_of_the_demo() {
        let today = demo_day();
        let d = build_demo_data(today, today.and_hms_opt(9, 0, 0).unwrap(), DemoSize::Normal);
        let dash = dashboard(&d.licenses, &d.packages, today);
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
        assert!(within_90 >= dash.expiring_soon_count as u64);
        assert!(!dash.expiring_soon.is_empty());
        assert_eq!(
            dash.expiring_soon.len(),
            dash.expiring_soon_count
                .min(crate::domain::EXPIRING_SOON_SHOWN)
        );
    }

    /// What Home reads (counts from the snapshot's entries, the few listed
    /// licenses in full) is what every full license gives: the dashboard,
    /// and the count and first rows of the notification queue.
    fn assert_home_is_that_of_every_record(
        repo: &MemoryRepository,
        users: &[User],
        day: NaiveDate,
    ) {
        let licenses = block_on(repo.list_records::<License>()).unwrap();
        let packages = block_on(repo.list_records::<Package>()).unwrap();
        let rules = block_on(repo.list_records::<AlertRule>()).unwrap();
        let stored = block_on(repo.list_records::<NotificationRecord>()).unwrap();
        let home = block_on(load_home(repo, users, day)).unwrap();
        assert_eq!(home.dashboard, dashboard(&licenses, &packages, day));
        let queue = notification_queue(&rules, &licenses, users, &stored, day);
        assert_eq!(home.due_count, queue.due.len());
        assert_eq!(home.due[..], queue.due[..queue.due.len().min(DUE_SHOWN)]);
    }

    #[test]
    fn home_from_the_snapshot_is_home_of_the_records() {
        let today = demo_day();
        let now = today.and_hms_opt(9, 0, 0).unwrap();
        let d = build_demo_data(today, now, DemoSize::Normal);
        let users = d.users.clone();
        let repo = MemoryRepository::new();
        block_on(save_demo_data(&repo, d)).unwrap();
        assert_home_is_that_of_every_record(&repo, &users, today);
        let home = block_on(load_home(&repo, &users, today)).unwrap();
        assert!(home.dashboard.expiring_soon_count > 0 && home.due_count > DUE_SHOWN);
        // Stored notifications: the first due sent, the second snoozed for
        // a day, and an uninstall notification due (yesterday's: listed
        // first).
        let actor = users.iter().find(|u| u.active).unwrap();
        block_on(mark_notification_sent(
            &repo,
            &home.due[0].record,
            actor,
            now,
        ))
        .unwrap();
        block_on(snooze_notification(
            &repo,
            &home.due[1].record,
            "1",
            actor,
            now,
        ))
        .unwrap();
        let mut uninstall = home.due[2].record.clone();
        uninstall.key = "uninstall-home-test".into();
        uninstall.about = NoticeAbout::Uninstall {
            package_name: "Invoice Pro".into(),
            version_number: VersionNumber::new(1, 0, 0),
            install_date: today - Days::new(100),
            uninstalled_at: now - Days::new(1),
        };
        block_on(repo.create(uninstall)).unwrap();
        assert_home_is_that_of_every_record(&repo, &users, today);
        let home = block_on(load_home(&repo, &users, today)).unwrap();
        assert_eq!(home.due[0].record.key, "uninstall-home-test");
        // The next day the snooze is over and what is due moves on.
        let tomorrow = today.succ_opt().unwrap();
        assert_home_is_that_of_every_record(&repo, &users, tomorrow);
    }
}
