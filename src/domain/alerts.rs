//! Alert rules. Expiration rules say "N days before a license expires, notify
//! user U", so a renewal is discussed before the customer loses access;
//! uninstall rules say "when a license becomes Uninstalled, notify user U"
//! (the LMA guide's customer-retention specialist). Uninstall notifications
//! are made in `notifications.rs`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::expiration::Expiration;
use super::ids::{IdError, KeyPrefix, SfId};
use super::license::License;
use super::sequences::Sequences;
use super::status::LicenseStatus;
use super::user::User;
use super::Field;

/// A year ahead is as early as a renewal conversation usefully starts.
pub const MAX_DAYS_BEFORE: u32 = 365;

/// What an alert rule waits for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AlertKind {
    /// `days_before` days before a license's Expiration Date.
    #[default]
    Expiration,
    /// A license becomes Uninstalled.
    Uninstall,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRule {
    pub id: SfId,
    /// Rules saved before uninstall rules existed are expiration rules.
    #[serde(default)]
    pub kind: AlertKind,
    /// Expiration rules only (0 for an uninstall rule).
    pub days_before: u32,
    pub recipient: SfId,
}

impl AlertRule {
    pub fn id(&self) -> &SfId {
        &self.id
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRuleDraft {
    pub days_before: String,
    /// The recipient's user ID, as the user picker gives it.
    pub recipient: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AlertRuleError {
    #[error("Days Before Expiration must be a whole number from 0 to {MAX_DAYS_BEFORE}; enter how many days ahead to be notified.")]
    DaysBefore { input: String },
    #[error("Choose the user to notify: {0}")]
    RecipientId(IdError),
    #[error("Choose the user to notify from the list of users.")]
    RecipientUnknown,
    #[error("{name} is an inactive user and would never read the alert; choose an active user.")]
    RecipientInactive { name: String },
}

impl AlertRuleError {
    pub fn field(&self) -> Field {
        match self {
            AlertRuleError::DaysBefore { .. } => Field::DaysBefore,
            _ => Field::Recipient,
        }
    }
}

/// Validates the draft against the known users and gives the rule an ID.
pub fn new_alert_rule(
    draft: &AlertRuleDraft,
    users: &[User],
    seq: &mut Sequences,
) -> Result<AlertRule, AlertRuleError> {
    let text = draft.days_before.trim();
    let days_before = text
        .parse::<u32>()
        .ok()
        .filter(|n| text.bytes().all(|b| b.is_ascii_digit()) && *n <= MAX_DAYS_BEFORE)
        .ok_or_else(|| AlertRuleError::DaysBefore {
            input: text.chars().take(40).collect(),
        })?;
    let recipient = check_recipient(&draft.recipient, users)?;
    Ok(AlertRule {
        id: seq.next_id(KeyPrefix::AlertRule),
        kind: AlertKind::Expiration,
        days_before,
        recipient,
    })
}

/// "When a license becomes Uninstalled, notify `recipient`" (a user ID, as
/// the user picker gives it), validated like an expiration rule's recipient.
pub fn new_uninstall_rule(
    recipient: &str,
    users: &[User],
    seq: &mut Sequences,
) -> Result<AlertRule, AlertRuleError> {
    let recipient = check_recipient(recipient, users)?;
    Ok(AlertRule {
        id: seq.next_id(KeyPrefix::AlertRule),
        kind: AlertKind::Uninstall,
        days_before: 0,
        recipient,
    })
}

/// An active, known user: an inactive one would never read the alert.
fn check_recipient(input: &str, users: &[User]) -> Result<SfId, AlertRuleError> {
    let recipient =
        SfId::parse_with_prefix(input, KeyPrefix::User).map_err(AlertRuleError::RecipientId)?;
    let user = users
        .iter()
        .find(|u| u.id == recipient)
        .ok_or(AlertRuleError::RecipientUnknown)?;
    if !user.active {
        return Err(AlertRuleError::RecipientInactive {
            name: user.name.clone(),
        });
    }
    Ok(recipient)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub rule: AlertRule,
    pub license: License,
    pub recipient: User,
    pub days_left: i64,
    pub subject: String,
    pub body: String,
    pub mailto: String,
}

impl Notification {
    /// Same rule, license and expiration date means the same notification,
    /// so one marked as sent stays sent; a renewal (new date) makes a new one.
    pub fn key(&self) -> String {
        expiration_key(
            &self.rule.id,
            &self.license.id,
            &self.license.expiration.to_csv(),
        )
    }
}

/// Whether a license can still expire within `days` days: not Uninstalled,
/// with a date from today to `days` days ahead.
pub fn is_expiring_within(
    status: LicenseStatus,
    expiration: Expiration,
    today: NaiveDate,
    days: u32,
) -> bool {
    status != LicenseStatus::Uninstalled
        && expiration
            .days_left(today)
            .is_some_and(|left| (0..=i64::from(days)).contains(&left))
}

/// Licenses that can still expire within `days` days
/// ([`is_expiring_within`]). Soonest first (then by License Name, then ID:
/// one order, however the licenses came).
pub fn expiring_within(licenses: &[License], today: NaiveDate, days: u32) -> Vec<&License> {
    let mut found: Vec<&License> = licenses
        .iter()
        .filter(|l| is_expiring_within(l.status, l.expiration, today, days))
        .collect();
    crate::sort::sort_by_key(&mut found, |l| (l.expiration.date(), l.name, l.id.clone()));
    found
}

/// How many days ahead an expiration rule alerts at most: the notifications
/// due today are all about licenses [`is_expiring_within`] that many days.
pub fn alert_horizon(rules: &[AlertRule]) -> u32 {
    rules
        .iter()
        .filter(|r| r.kind == AlertKind::Expiration)
        .map(|r| r.days_before)
        .max()
        .unwrap_or(0)
}

/// Every notification due today.
///
/// Due while 0 <= days left <= N, not only on the day exactly N days before:
/// the app runs offline and is opened irregularly, and an alert due on a day
/// nobody opened it must still show. `Notification::key` lets the UI mark
/// one as sent. Rules whose recipient is missing or inactive produce nothing,
/// since no one would read them (the rule form refuses inactive users).
pub fn due_notifications(
    rules: &[AlertRule],
    licenses: &[License],
    users: &[User],
    today: NaiveDate,
) -> Vec<Notification> {
    let mut due = Vec::new();
    for rule in rules.iter().filter(|r| r.kind == AlertKind::Expiration) {
        let Some(recipient) = users.iter().find(|u| u.id == rule.recipient && u.active) else {
            continue;
        };
        for license in expiring_within(licenses, today, rule.days_before) {
            let Some(days_left) = license.expiration.days_left(today) else {
                continue;
            };
            let subject = subject(license, days_left);
            let body = body(license, recipient, days_left);
            let mailto = mailto(&recipient.email, &subject, &body);
            due.push(Notification {
                rule: rule.clone(),
                license: license.clone(),
                recipient: recipient.clone(),
                days_left,
                subject,
                body,
                mailto,
            });
        }
    }
    crate::sort::sort_by(&mut due, |a, b| {
        (a.days_left, a.license.name, &a.rule.id).cmp(&(b.days_left, b.license.name, &b.rule.id))
    });
    due
}

/// The stored key of an expiration notification (see [`Notification::key`]).
pub fn expiration_key(rule: &SfId, license: &SfId, expiration: &str) -> String {
    format!("expiration-{}-{}-{expiration}", rule.to18(), license.to18())
}

fn when(days_left: i64) -> String {
    match days_left {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        n => format!("in {n} days"),
    }
}

fn subject(license: &License, days_left: i64) -> String {
    format!(
        "License {} for {} expires {}",
        license.name,
        license.lead_name,
        when(days_left)
    )
}

fn body(license: &License, recipient: &User, days_left: i64) -> String {
    format!(
        "Hi {},\n\nLicense {} expires {} ({}).\n\nLead: {}\nSubscriber Org ID: {}\nLicense Status: {}\nLicensed Seats: {}\nPackage Version Number: {}\n\nPlease contact the customer about renewing before they lose access.",
        recipient.name,
        license.name,
        when(days_left),
        license.expiration,
        license.lead_name,
        license.subscriber_org_id.to15(),
        license.status,
        license.seats,
        license.version_number,
    )
}

/// Mail clients need the subject and body percent-encoded; newlines become
/// CRLF, as RFC 6068 asks.
pub fn mailto(to: &str, subject: &str, body: &str) -> String {
    format!(
        "mailto:{}?subject={}&body={}",
        percent_encode(to, b"@"),
        percent_encode(subject, b""),
        percent_encode(&body.replace("\r\n", "\n").replace('\n', "\r\n"), b"")
    )
}

fn percent_encode(text: &str, also_keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || also_keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::expiration::Expiration;
    use crate::domain::license::fixtures::{date, license};
    use crate::domain::license_name::LicenseName;
    use crate::domain::user::{seed_users, Profile};
    use proptest::prelude::*;

    fn rep() -> User {
        seed_users()
            .into_iter()
            .find(|u| u.profile == Profile::SalesRep)
            .unwrap()
    }

    fn expiring(n: u64, on: NaiveDate) -> License {
        let mut l = license();
        l.id = SfId::generate(KeyPrefix::License, n);
        l.name = LicenseName::from_number(n);
        l.expiration = Expiration::Date(on);
        l
    }

    fn rule(days: u32) -> AlertRule {
        AlertRule {
            id: SfId::generate(KeyPrefix::AlertRule, 1),
            kind: AlertKind::Expiration,
            days_before: days,
            recipient: rep().id,
        }
    }

    #[test]
    fn due_from_n_days_before_until_the_expiration_day() {
        let today = date(2025, 3, 1);
        let licenses = vec![
            expiring(1, date(2025, 3, 31)), // 30 days: due
            expiring(2, date(2025, 4, 1)),  // 31 days: not yet
            expiring(3, date(2025, 3, 1)),  // today: due
            expiring(4, date(2025, 2, 28)), // expired: no longer
        ];
        let due = due_notifications(&[rule(30)], &licenses, &seed_users(), today);
        let names: Vec<_> = due.iter().map(|n| n.license.name.to_string()).collect();
        assert_eq!(names, vec!["L-00003", "L-00001"]);
        assert_eq!(due[0].days_left, 0);
        assert!(due[0].subject.ends_with("expires today"));
        assert_eq!(due[1].days_left, 30);
    }

    #[test]
    fn uninstalled_and_unlimited_licenses_never_alert() {
        let today = date(2025, 3, 1);
        let mut gone = expiring(1, date(2025, 3, 5));
        gone.status = LicenseStatus::Uninstalled;
        let mut forever = expiring(2, date(2025, 3, 5));
        forever.expiration = Expiration::DoesNotExpire;
        assert!(due_notifications(&[rule(30)], &[gone, forever], &seed_users(), today).is_empty());
    }

    #[test]
    fn uninstall_rules_make_no_expiration_notification() {
        let mut r = rule(30);
        r.kind = AlertKind::Uninstall;
        let licenses = [expiring(1, date(2025, 3, 5))];
        assert!(due_notifications(&[r], &licenses, &seed_users(), date(2025, 3, 1)).is_empty());
    }

    #[test]
    fn uninstall_rules_are_validated_like_expiration_rules() {
        let users = seed_users();
        let mut seq = Sequences::default();
        let ok = new_uninstall_rule(rep().id.to15(), &users, &mut seq).unwrap();
        assert_eq!((ok.kind, ok.days_before), (AlertKind::Uninstall, 0));
        let inactive = users.iter().find(|u| !u.active).unwrap();
        assert!(matches!(
            new_uninstall_rule(inactive.id.to18(), &users, &mut seq),
            Err(AlertRuleError::RecipientInactive { .. })
        ));
        assert_eq!(
            new_uninstall_rule("", &users, &mut seq)
                .unwrap_err()
                .field(),
            Field::Recipient
        );
    }

    #[test]
    fn rules_saved_before_uninstall_rules_read_as_expiration_rules() {
        let mut old = serde_json::to_value(rule(7)).unwrap();
        old.as_object_mut().unwrap().remove("kind");
        let read: AlertRule = serde_json::from_value(old).unwrap();
        assert_eq!(read, rule(7));
    }

    #[test]
    fn inactive_recipients_get_nothing() {
        let users = seed_users();
        let inactive = users.iter().find(|u| !u.active).unwrap();
        let mut r = rule(30);
        r.recipient = inactive.id.clone();
        let licenses = [expiring(1, date(2025, 3, 5))];
        assert!(due_notifications(&[r], &licenses, &users, date(2025, 3, 1)).is_empty());
    }

    #[test]
    fn mailto_is_percent_encoded() {
        let today = date(2025, 3, 1);
        let due = due_notifications(
            &[rule(7)],
            &[expiring(1, date(2025, 3, 2))],
            &seed_users(),
            today,
        );
        let mailto = &due[0].mailto;
        assert!(mailto.starts_with("mailto:priya.shah@example.com?subject=License%20L-00001%20for%20Ada%20Lovelace%20expires%20tomorrow&body=Hi%20Priya%20Shah%2C%0D%0A"));
        assert!(!mailto.contains(' ') && !mailto.contains('\n'));
        assert_eq!(percent_encode("a&b=c?é", b""), "a%26b%3Dc%3F%C3%A9");
    }

    #[test]
    fn rule_drafts_are_validated() {
        let users = seed_users();
        let mut seq = Sequences::default();
        let ok = new_alert_rule(
            &AlertRuleDraft {
                days_before: "365".into(),
                recipient: rep().id.to15().into(),
            },
            &users,
            &mut seq,
        )
        .unwrap();
        assert_eq!(ok.days_before, 365);
        assert_eq!(ok.id.prefix(), "a0A");
        for bad in ["366", "-1", "", "ten", "+5"] {
            let err = new_alert_rule(
                &AlertRuleDraft {
                    days_before: bad.into(),
                    recipient: rep().id.to18().into(),
                },
                &users,
                &mut seq,
            )
            .unwrap_err();
            assert_eq!(err.field(), Field::DaysBefore, "{bad}");
        }
        let inactive = users.iter().find(|u| !u.active).unwrap();
        assert!(matches!(
            new_alert_rule(
                &AlertRuleDraft {
                    days_before: "5".into(),
                    recipient: inactive.id.to18().into()
                },
                &users,
                &mut seq
            ),
            Err(AlertRuleError::RecipientInactive { .. })
        ));
        assert!(matches!(
            new_alert_rule(
                &AlertRuleDraft {
                    days_before: "5".into(),
                    recipient: SfId::generate(KeyPrefix::User, 999).to18().into()
                },
                &users,
                &mut seq
            ),
            Err(AlertRuleError::RecipientUnknown)
        ));
    }

    proptest! {
        #[test]
        fn rule_drafts_never_panic(days in "\\PC*", recipient in "\\PC*") {
            let _ = new_alert_rule(&AlertRuleDraft { days_before: days, recipient }, &seed_users(), &mut Sequences::default());
        }

        #[test]
        fn mailto_never_has_raw_reserved_characters(s in "\\PC*") {
            let m = mailto("a@b.c", &s, &s);
            let (_, query) = m.split_once('?').unwrap();
            prop_assert_eq!(query.matches('&').count(), 1);
            prop_assert!(!query.contains(' ') && !query.contains('#'));
        }
    }
}
