//! The notification queue: every alert a user has to send, due, snoozed or
//! sent, and who sent or snoozed it when.
//!
//! Expiration notifications are derived each day from the rules and the
//! licenses (`alerts.rs`); one is stored only once someone marks it as sent
//! or snoozes it. Uninstall notifications are made when a license becomes
//! Uninstalled ([`uninstall_notifications`]), by whichever workflow does it,
//! and stored in the same save as the license: the moment is gone after.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::alerts::{
    due_notifications, expiration_key, mailto, AlertKind, AlertRule, Notification,
};
use super::dashboard::LicenseFigures;
use super::dates::add_days;
use super::ids::SfId;
use super::lead::{Account, Lead};
use super::license::License;
use super::license_name::LicenseName;
use super::soonest::Soonest;
use super::status::LicenseStatus;
use super::user::User;
use super::version::VersionNumber;
use super::Field;

/// How many due notifications Home lists (the Notifications page has all).
pub const DUE_SHOWN: usize = 5;

/// A quarter: longer than that, the notification is better marked as sent.
pub const MAX_SNOOZE_DAYS: u32 = 90;

/// Who did something to a notification, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acted {
    pub by: SfId,
    /// The user's name then, so the queue still says who if the user goes.
    pub by_name: String,
    pub at: NaiveDateTime,
}

/// A snooze: due again on `until` (`days` after the day it was snoozed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snooze {
    pub acted: Acted,
    pub days: u32,
    pub until: NaiveDate,
}

/// What a notification is about, as it was when it became due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeAbout {
    Expiration {
        expiration: NaiveDate,
        days_before: u32,
    },
    Uninstall {
        package_name: String,
        version_number: VersionNumber,
        install_date: NaiveDate,
        uninstalled_at: NaiveDateTime,
    },
}

/// One notification and what was done with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationRecord {
    /// Same rule, license and event: same key (see [`uninstall_key`] and
    /// [`expiration_key`](super::alerts::expiration_key)), so a notification is never made twice.
    pub key: String,
    pub rule_id: SfId,
    pub recipient: SfId,
    pub license_id: SfId,
    pub license_name: LicenseName,
    /// The customer's company.
    pub company: String,
    pub subscriber_org_id: SfId,
    pub about: NoticeAbout,
    pub sent: Option<Acted>,
    /// Every snooze, oldest first; the last one counts.
    pub snoozes: Vec<Snooze>,
}

/// Where a notification is in the queue on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeState {
    Due,
    Snoozed { until: NaiveDate },
    Sent,
}

impl NotificationRecord {
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn kind(&self) -> AlertKind {
        match self.about {
            NoticeAbout::Expiration { .. } => AlertKind::Expiration,
            NoticeAbout::Uninstall { .. } => AlertKind::Uninstall,
        }
    }

    /// Sent ones never come back; a snoozed one is due again on its day.
    pub fn state(&self, today: NaiveDate) -> NoticeState {
        if self.sent.is_some() {
            return NoticeState::Sent;
        }
        match self.snoozes.last() {
            Some(s) if s.until > today => NoticeState::Snoozed { until: s.until },
            _ => NoticeState::Due,
        }
    }

    /// The day the event happens (expiration) or happened (uninstall).
    pub fn event_date(&self) -> NaiveDate {
        match &self.about {
            NoticeAbout::Expiration { expiration, .. } => *expiration,
            NoticeAbout::Uninstall { uninstalled_at, .. } => uninstalled_at.date(),
        }
    }
}

/// The stored key of the notification `rule` makes when `license` is
/// uninstalled at `at`: a later reinstall and uninstall makes another.
pub fn uninstall_key(rule: &SfId, license: &SfId, at: NaiveDateTime) -> String {
    format!(
        "uninstall-{}-{}-{}",
        rule.to18(),
        license.to18(),
        at.format("%Y-%m-%dT%H:%M:%S%.f")
    )
}

/// The customer's company for an email: the lead's company, else the
/// converted account's name, else the lead's name the license keeps.
pub fn customer_company(
    license: &License,
    lead: Option<&Lead>,
    account: Option<&Account>,
) -> String {
    lead.map(|l| l.company.trim())
        .filter(|c| !c.is_empty())
        .or_else(|| account.map(|a| a.name.trim()).filter(|n| !n.is_empty()))
        .unwrap_or(license.lead_name.trim())
        .to_string()
}

/// What a change of a license to Uninstalled creates: one due notification
/// for each uninstall rule. Nothing when `after` is not Uninstalled, or
/// when the license was already Uninstalled (or new: an import records an
/// uninstall that happened before, elsewhere). `package_name` and
/// `company` name them in the email.
pub fn uninstall_notifications(
    before: Option<&License>,
    after: &License,
    package_name: &str,
    company: &str,
    rules: &[AlertRule],
    at: NaiveDateTime,
) -> Vec<NotificationRecord> {
    let became_uninstalled = after.status == LicenseStatus::Uninstalled
        && before.is_some_and(|b| b.status != LicenseStatus::Uninstalled);
    if !became_uninstalled {
        return Vec::new();
    }
    rules
        .iter()
        .filter(|r| r.kind == AlertKind::Uninstall)
        .map(|rule| NotificationRecord {
            key: uninstall_key(&rule.id, &after.id, at),
            rule_id: rule.id.clone(),
            recipient: rule.recipient.clone(),
            license_id: after.id.clone(),
            license_name: after.name,
            company: company.to_string(),
            subscriber_org_id: after.subscriber_org_id.clone(),
            about: NoticeAbout::Uninstall {
                package_name: package_name.to_string(),
                version_number: after.version_number,
                install_date: after.install_date,
                uninstalled_at: at,
            },
            sent: None,
            snoozes: Vec::new(),
        })
        .collect()
}

/// The record an expiration notification is stored as once acted on.
pub fn expiration_record(n: &Notification) -> NotificationRecord {
    NotificationRecord {
        key: n.key(),
        rule_id: n.rule.id.clone(),
        recipient: n.rule.recipient.clone(),
        license_id: n.license.id.clone(),
        license_name: n.license.name,
        company: n.license.lead_name.clone(),
        subscriber_org_id: n.license.subscriber_org_id.clone(),
        about: NoticeAbout::Expiration {
            expiration: n.license.expiration.date().unwrap_or_default(),
            days_before: n.rule.days_before,
        },
        sent: None,
        snoozes: Vec::new(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoticeError {
    #[error("Snooze for a whole number of days from 1 to {MAX_SNOOZE_DAYS}; the notification is due again on that day.")]
    SnoozeDays { input: String },
    #[error("This notification was already marked as sent by {by} on {at}; it stays sent.")]
    AlreadySent { by: String, at: String },
}

impl NoticeError {
    pub fn field(&self) -> Field {
        match self {
            NoticeError::SnoozeDays { .. } => Field::SnoozeDays,
            NoticeError::AlreadySent { .. } => Field::Form,
        }
    }
}

fn acted(actor: &User, now: NaiveDateTime) -> Acted {
    Acted {
        by: actor.id.clone(),
        by_name: actor.name.clone(),
        at: now,
    }
}

fn not_sent(record: &NotificationRecord) -> Result<(), NoticeError> {
    match &record.sent {
        Some(s) => Err(NoticeError::AlreadySent {
            by: s.by_name.clone(),
            at: s.at.format("%Y-%m-%d %H:%M").to_string(),
        }),
        None => Ok(()),
    }
}

/// Marks the notification as sent by `actor` at `now`: it leaves the queue
/// for good.
pub fn mark_sent(
    record: &NotificationRecord,
    actor: &User,
    now: NaiveDateTime,
) -> Result<NotificationRecord, NoticeError> {
    not_sent(record)?;
    let mut sent = record.clone();
    sent.sent = Some(acted(actor, now));
    Ok(sent)
}

/// Snoozes the notification for `days` (1 to [`MAX_SNOOZE_DAYS`]) from
/// `now`'s day: it is due again on the day `days` later.
pub fn snooze(
    record: &NotificationRecord,
    days: &str,
    actor: &User,
    now: NaiveDateTime,
) -> Result<NotificationRecord, NoticeError> {
    let text = days.trim();
    let refused = || NoticeError::SnoozeDays {
        input: text.chars().take(40).collect(),
    };
    let days = text
        .parse::<u32>()
        .ok()
        .filter(|n| text.bytes().all(|b| b.is_ascii_digit()) && (1..=MAX_SNOOZE_DAYS).contains(n))
        .ok_or_else(refused)?;
    not_sent(record)?;
    let until = add_days(now.date(), u64::from(days)).ok_or_else(refused)?;
    let mut snoozed = record.clone();
    snoozed.snoozes.push(Snooze {
        acted: acted(actor, now),
        days,
        until,
    });
    Ok(snoozed)
}

/// One notification as the queue shows it, with its ready email.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    pub record: NotificationRecord,
    pub state: NoticeState,
    pub recipient_name: String,
    /// What happened or will: "Expires in 5 days", "Uninstalled on 2026-12-01".
    pub what: String,
    pub subject: String,
    pub body: String,
    pub mailto: String,
}

/// The queue on one day: due (event date first), snoozed (due again
/// soonest first) and sent (latest first).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotificationQueue {
    pub due: Vec<QueueItem>,
    pub snoozed: Vec<QueueItem>,
    pub sent: Vec<QueueItem>,
}

fn expires_text(days_left: i64) -> String {
    match days_left {
        0 => "Expires today".to_string(),
        1 => "Expires tomorrow".to_string(),
        n if n < 0 => "Expired".to_string(),
        n => format!("Expires in {n} days"),
    }
}

fn uninstall_texts(r: &NotificationRecord, recipient_name: &str) -> (String, String, String) {
    let NoticeAbout::Uninstall {
        package_name,
        version_number,
        install_date,
        uninstalled_at,
    } = &r.about
    else {
        return Default::default();
    };
    let on = uninstalled_at.date().format("%Y-%m-%d");
    let what = format!("Uninstalled on {on}");
    let subject = format!(
        "{} uninstalled {package_name} {version_number} (license {})",
        r.company, r.license_name
    );
    let body = format!(
        "Hi {recipient_name},\n\n{} uninstalled {package_name} version {version_number} on {on}. They had installed it on {}.\n\nLicense: {}\nSubscriber Org ID: {}\n\nPlease contact the customer to learn why they uninstalled and whether they can be won back.",
        r.company,
        install_date.format("%Y-%m-%d"),
        r.license_name,
        r.subscriber_org_id.to15(),
    );
    (what, subject, body)
}

fn expiration_texts(
    r: &NotificationRecord,
    recipient_name: &str,
    today: NaiveDate,
) -> (String, String, String) {
    let days_left = (r.event_date() - today).num_days();
    let what = expires_text(days_left);
    let subject = format!(
        "License {} for {} {}",
        r.license_name,
        r.company,
        what.to_lowercase()
    );
    let body = format!(
        "Hi {recipient_name},\n\nLicense {} {} ({}).\n\nLead: {}\nSubscriber Org ID: {}\n\nPlease contact the customer about renewing before they lose access.",
        r.license_name,
        what.to_lowercase(),
        r.event_date().format("%Y-%m-%d"),
        r.company,
        r.subscriber_org_id.to15(),
    );
    (what, subject, body)
}

fn item(
    record: NotificationRecord,
    derived: Option<&Notification>,
    users: &[User],
    today: NaiveDate,
) -> QueueItem {
    let user = users.iter().find(|u| u.id == record.recipient);
    let recipient_name = user.map_or_else(
        || format!("Unknown user {}", record.recipient.to15()),
        |u| u.name.clone(),
    );
    let email = user.map(|u| u.email.as_str()).unwrap_or_default();
    let (what, subject, body) = match (&record.about, derived) {
        (NoticeAbout::Expiration { .. }, Some(n)) => {
            (expires_text(n.days_left), n.subject.clone(), n.body.clone())
        }
        (NoticeAbout::Expiration { .. }, None) => expiration_texts(&record, &recipient_name, today),
        (NoticeAbout::Uninstall { .. }, _) => uninstall_texts(&record, &recipient_name),
    };
    let mailto = mailto(email, &subject, &body);
    QueueItem {
        state: record.state(today),
        record,
        recipient_name,
        what,
        subject,
        body,
        mailto,
    }
}

/// The queue on `today`: the expiration notifications the rules make today
/// (unless stored: sent or snoozed), and every stored notification in its
/// state. A stored expiration notification whose snooze ended is due again
/// only while its rule still makes it (the license did not expire, renew or
/// uninstall meanwhile).
pub fn notification_queue(
    rules: &[AlertRule],
    licenses: &[License],
    users: &[User],
    stored: &[NotificationRecord],
    today: NaiveDate,
) -> NotificationQueue {
    let derived = due_notifications(rules, licenses, users, today);
    let derived_by_key = |key: &str| derived.iter().find(|n| n.key() == key);
    let mut queue = NotificationQueue::default();
    for n in &derived {
        if !stored.iter().any(|s| s.key == n.key()) {
            queue
                .due
                .push(item(expiration_record(n), Some(n), users, today));
        }
    }
    for record in stored {
        let made = derived_by_key(&record.key);
        let it = item(record.clone(), made, users, today);
        match it.state {
            NoticeState::Sent => queue.sent.push(it),
            NoticeState::Snoozed { .. } => queue.snoozed.push(it),
            NoticeState::Due if record.kind() == AlertKind::Expiration && made.is_none() => {}
            NoticeState::Due => queue.due.push(it),
        }
    }
    let order = |i: &QueueItem| {
        (
            i.record.event_date(),
            i.record.license_name,
            i.record.key.clone(),
        )
    };
    crate::sort::sort_by_key(&mut queue.due, order);
    crate::sort::sort_by_key(&mut queue.snoozed, |i| {
        let until = match i.state {
            NoticeState::Snoozed { until } => until,
            _ => today,
        };
        (until, i.record.key.clone())
    });
    crate::sort::sort_by_key(&mut queue.sent, |i| {
        std::cmp::Reverse((i.record.sent.as_ref().map(|s| s.at), i.record.key.clone()))
    });
    queue
}

/// What Home shows of the queue, counted one license at a time from its
/// figures (the licenses list's snapshot at 100,000 licenses): how many
/// notifications are due, and which licenses the first [`DUE_SHOWN`] are
/// about, the only ones to read in full. The same count and order as
/// [`notification_queue`]'s `due`.
#[derive(Debug, Clone)]
pub struct DueTally<'a> {
    today: NaiveDate,
    /// The expiration rules that make notifications (recipient active).
    rules: Vec<&'a AlertRule>,
    /// Stored notifications by key: one the rules make counts as due only
    /// in its stored state.
    stored: HashMap<&'a str, &'a NotificationRecord>,
    count: usize,
    /// The licenses of the first due expiration notifications, in the
    /// queue's order (event date, License Name, key).
    first: Soonest<(NaiveDate, LicenseName, String), SfId>,
}

impl<'a> DueTally<'a> {
    /// Nothing counted yet but the stored uninstall notifications due.
    pub fn new(
        rules: &'a [AlertRule],
        users: &[User],
        stored: &'a [NotificationRecord],
        today: NaiveDate,
    ) -> DueTally<'a> {
        let rules = rules
            .iter()
            .filter(|r| r.kind == AlertKind::Expiration)
            .filter(|r| users.iter().any(|u| u.id == r.recipient && u.active))
            .collect();
        let count = stored
            .iter()
            .filter(|r| r.kind() == AlertKind::Uninstall && r.state(today) == NoticeState::Due)
            .count();
        DueTally {
            today,
            rules,
            stored: stored.iter().map(|r| (r.key.as_str(), r)).collect(),
            count,
            first: Soonest::new(DUE_SHOWN),
        }
    }

    /// Counts the notifications due about one license: one per rule that
    /// alerts about it today, unless stored as sent or snoozed.
    pub fn add(&mut self, l: LicenseFigures<'_>) {
        let Some(date) = l.expiration.date() else {
            return;
        };
        for rule in &self.rules {
            if !l.is_expiring_within(self.today, rule.days_before) {
                continue;
            }
            // The key is built only when needed: most desks store few.
            let key = || expiration_key(&rule.id, l.id, &l.expiration.to_csv());
            let mut built = None;
            if !self.stored.is_empty() {
                let k = key();
                if self
                    .stored
                    .get(k.as_str())
                    .is_some_and(|s| s.state(self.today) != NoticeState::Due)
                {
                    continue;
                }
                built = Some(k);
            }
            self.count += 1;
            if self
                .first
                .bound()
                .is_some_and(|(d, n, _)| (date, l.name) > (*d, *n))
            {
                continue;
            }
            let key = built.unwrap_or_else(key);
            self.first.offer((date, l.name, key), l.id.clone());
        }
    }

    /// The licenses to read in full for the first [`DUE_SHOWN`]:
    /// [`notification_queue`] of them (and every stored notification)
    /// gives those first in its `due`.
    pub fn listed(&self) -> impl Iterator<Item = &SfId> {
        self.first.values()
    }

    /// How many notifications are due.
    pub fn count(&self) -> usize {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::expiration::Expiration;
    use crate::domain::ids::KeyPrefix;
    use crate::domain::license::fixtures::{date, license};
    use crate::domain::user::{seed_users, Profile};
    use proptest::prelude::*;

    fn user(profile: Profile) -> User {
        seed_users()
            .into_iter()
            .find(|u| u.profile == profile && u.active)
            .unwrap()
    }

    fn rule(n: u64, kind: AlertKind) -> AlertRule {
        AlertRule {
            id: SfId::generate(KeyPrefix::AlertRule, n),
            kind,
            days_before: if kind == AlertKind::Expiration { 30 } else { 0 },
            recipient: user(Profile::SalesRep).id,
        }
    }

    fn at(d: u32, h: u32) -> NaiveDateTime {
        date(2025, 3, d).and_hms_opt(h, 0, 0).unwrap()
    }

    fn uninstalled(l: &License) -> License {
        crate::domain::uninstall(l, at(2, 9))
    }

    fn one_uninstall_notice() -> NotificationRecord {
        let l = license();
        let rules = [rule(1, AlertKind::Uninstall)];
        uninstall_notifications(
            Some(&l),
            &uninstalled(&l),
            "Invoice Pro",
            "Acme",
            &rules,
            at(2, 9),
        )
        .remove(0)
    }

    #[test]
    fn a_license_becoming_uninstalled_makes_one_notification_per_uninstall_rule() {
        let l = license();
        let gone = uninstalled(&l);
        let rules = [
            rule(1, AlertKind::Uninstall),
            rule(2, AlertKind::Expiration),
            rule(3, AlertKind::Uninstall),
        ];
        let made =
            uninstall_notifications(Some(&l), &gone, "Invoice Pro", "Acme", &rules, at(2, 9));
        assert_eq!(made.len(), 2);
        assert_eq!(made[0].rule_id, rules[0].id);
        assert_eq!(made[1].rule_id, rules[2].id);
        assert_ne!(made[0].key, made[1].key);
        assert_eq!(made[0].state(date(2025, 3, 2)), NoticeState::Due);
        assert_eq!(
            made[0].about,
            NoticeAbout::Uninstall {
                package_name: "Invoice Pro".into(),
                version_number: l.version_number,
                install_date: l.install_date,
                uninstalled_at: at(2, 9),
            }
        );
    }

    #[test]
    fn no_notification_when_already_uninstalled_new_or_still_installed() {
        let l = license();
        let gone = uninstalled(&l);
        let rules = [rule(1, AlertKind::Uninstall)];
        let none = |before: Option<&License>, after: &License| {
            uninstall_notifications(before, after, "P", "C", &rules, at(2, 9)).is_empty()
        };
        assert!(none(Some(&gone), &gone), "already Uninstalled");
        assert!(none(None, &gone), "new, imported as Uninstalled");
        assert!(none(Some(&l), &l), "still installed");
        assert!(uninstall_notifications(
            Some(&l),
            &gone,
            "P",
            "C",
            &[rule(2, AlertKind::Expiration)],
            at(2, 9)
        )
        .is_empty());
    }

    #[test]
    fn a_later_reinstall_and_uninstall_makes_a_new_notification() {
        let l = license();
        let r = rule(1, AlertKind::Uninstall);
        assert_ne!(
            uninstall_key(&r.id, &l.id, at(2, 9)),
            uninstall_key(&r.id, &l.id, at(5, 9))
        );
    }

    #[test]
    fn the_email_names_company_package_version_and_install_date() {
        let l = license();
        let n = one_uninstall_notice();
        let q = notification_queue(&[], &[], &seed_users(), &[n], date(2025, 3, 2));
        let it = &q.due[0];
        assert_eq!(it.what, "Uninstalled on 2025-03-02");
        assert!(it.subject.starts_with(&format!(
            "Acme uninstalled Invoice Pro {}",
            l.version_number
        )));
        assert!(it.body.contains(&format!(
            "installed it on {}",
            l.install_date.format("%Y-%m-%d")
        )));
        assert!(it.mailto.starts_with(
            "mailto:priya.shah@example.com?subject=Acme%20uninstalled%20Invoice%20Pro"
        ));
    }

    #[test]
    fn the_company_is_the_lead_s_then_the_account_s_then_the_lead_name() {
        let l = license();
        assert_eq!(customer_company(&l, None, None), l.lead_name);
    }

    #[test]
    fn snooze_days_from_1_to_the_maximum() {
        let n = one_uninstall_notice();
        let actor = user(Profile::LicenseManager);
        for bad in ["0", "91", "", "-1", "+3", "two", "1.5"] {
            let err = snooze(&n, bad, &actor, at(2, 10)).unwrap_err();
            assert_eq!(err.field(), Field::SnoozeDays, "{bad}");
        }
        assert!(snooze(&n, "1", &actor, at(2, 10)).is_ok());
        let s = snooze(&n, &MAX_SNOOZE_DAYS.to_string(), &actor, at(2, 10)).unwrap();
        assert_eq!(s.snoozes[0].until, date(2025, 5, 31));
    }

    #[test]
    fn a_snoozed_notification_is_due_again_on_day_n() {
        let n = one_uninstall_notice();
        let actor = user(Profile::LicenseManager);
        let s = snooze(&n, " 3 ", &actor, at(2, 10)).unwrap();
        let last = s.snoozes.last().unwrap();
        assert_eq!(
            (last.days, last.acted.by_name.as_str()),
            (3, actor.name.as_str())
        );
        assert_eq!(
            s.state(date(2025, 3, 4)),
            NoticeState::Snoozed {
                until: date(2025, 3, 5)
            }
        );
        assert_eq!(s.state(date(2025, 3, 5)), NoticeState::Due);
        let users = seed_users();
        let q =
            |d| notification_queue(&[], &[], &users, std::slice::from_ref(&s), date(2025, 3, d));
        assert_eq!((q(4).due.len(), q(4).snoozed.len()), (0, 1));
        assert_eq!((q(5).due.len(), q(5).snoozed.len()), (1, 0));
    }

    #[test]
    fn a_sent_notification_never_comes_back() {
        let n = one_uninstall_notice();
        let actor = user(Profile::SalesRep);
        let sent = mark_sent(&n, &actor, at(3, 11)).unwrap();
        assert_eq!(sent.sent.as_ref().map(|a| a.at), Some(at(3, 11)));
        assert_eq!(sent.state(date(2030, 1, 1)), NoticeState::Sent);
        assert!(matches!(
            mark_sent(&sent, &actor, at(4, 9)),
            Err(NoticeError::AlreadySent { .. })
        ));
        assert!(matches!(
            snooze(&sent, "3", &actor, at(4, 9)),
            Err(NoticeError::AlreadySent { .. })
        ));
        let q = notification_queue(&[], &[], &seed_users(), &[sent], date(2025, 3, 10));
        assert!(q.due.is_empty() && q.snoozed.is_empty());
        assert_eq!(q.sent.len(), 1);
    }

    #[test]
    fn a_sent_expiration_notification_stays_sent_and_a_renewal_makes_a_new_one() {
        let mut l = license();
        l.expiration = Expiration::Date(date(2025, 3, 20));
        let rules = [rule(1, AlertKind::Expiration)];
        let users = seed_users();
        let today = date(2025, 3, 1);
        let q = notification_queue(&rules, std::slice::from_ref(&l), &users, &[], today);
        assert_eq!(q.due.len(), 1);
        assert_eq!(q.due[0].what, "Expires in 19 days");
        let sent = mark_sent(&q.due[0].record, &user(Profile::SalesRep), at(1, 9)).unwrap();
        let q = notification_queue(
            &rules,
            std::slice::from_ref(&l),
            &users,
            std::slice::from_ref(&sent),
            date(2025, 3, 2),
        );
        assert!(q.due.is_empty());
        assert_eq!(q.sent.len(), 1);
        l.expiration = Expiration::Date(date(2025, 3, 25));
        let q = notification_queue(&rules, &[l], &users, &[sent], date(2025, 3, 2));
        assert_eq!(q.due.len(), 1, "the renewed date is a new notification");
    }

    #[test]
    fn a_snoozed_expiration_notification_past_its_license_s_expiration_is_gone() {
        let mut l = license();
        l.expiration = Expiration::Date(date(2025, 3, 3));
        let rules = [rule(1, AlertKind::Expiration)];
        let users = seed_users();
        let q = notification_queue(
            &rules,
            std::slice::from_ref(&l),
            &users,
            &[],
            date(2025, 3, 1),
        );
        let s = snooze(&q.due[0].record, "5", &user(Profile::SalesRep), at(1, 9)).unwrap();
        let q = notification_queue(
            &rules,
            std::slice::from_ref(&l),
            &users,
            std::slice::from_ref(&s),
            date(2025, 3, 2),
        );
        assert_eq!((q.due.len(), q.snoozed.len()), (0, 1));
        let q = notification_queue(&rules, &[l], &users, &[s], date(2025, 3, 6));
        assert_eq!((q.due.len(), q.snoozed.len(), q.sent.len()), (0, 0, 0));
    }

    proptest! {
        #[test]
        fn snooze_input_never_panics(days in "\\PC*") {
            let _ = snooze(&one_uninstall_notice(), &days, &user(Profile::SalesRep), at(2, 10));
        }
    }
}
