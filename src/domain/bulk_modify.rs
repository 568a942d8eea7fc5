//! Bulk Modify License: one draft for many licenses, each field "leave
//! unchanged" or a new value. No rule lives here: each license gets the
//! Modify License draft it would get by hand (its own value for every field
//! left unchanged) and goes through [`modify_license_reporting_all`], so a
//! bulk change refuses exactly what a change by hand refuses. This module
//! builds those drafts and groups the outcomes for the preview.

use chrono::{NaiveDate, NaiveDateTime};
use thiserror::Error;

use super::field::Field;
use super::history::HistoryEntry;
use super::license::License;
use super::license_name::LicenseName;
use super::modify::{
    modify_license_reporting_all, parse_expiration, parse_status, ModifyLicenseDraft,
    ModifyLicenseError, ModifyOutcome, MAX_TRIAL_DAYS,
};
use super::seats::{group_thousands, Seats};
use super::sequences::Sequences;
use super::status::OrgStatus;
use super::user::User;
use super::SfId;

/// The Expiration a bulk change sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ExpirationChange {
    #[default]
    Unchanged,
    /// `YYYY-MM-DD`, as a date input gives it.
    Date(String),
    DoesNotExpire,
}

/// The Licensed Seats a bulk change sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SeatsChange {
    #[default]
    Unchanged,
    /// As typed.
    Count(String),
    SiteLicense,
}

/// What the Bulk Modify form submits: every field starts as "leave unchanged".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkModifyDraft {
    pub expiration: ExpirationChange,
    pub seats: SeatsChange,
    /// A License Status label as typed; `None` leaves each status unchanged.
    pub status: Option<String>,
}

/// What is wrong with the bulk draft itself, whatever the licenses.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BulkDraftError {
    #[error("Every field is set to Leave unchanged: choose a new Expiration, Seats or License Status to change.")]
    NothingToChange,
    /// A changed field's value fails Modify License's own check.
    #[error(transparent)]
    Invalid(ModifyLicenseError),
}

impl BulkDraftError {
    pub fn field(&self) -> Field {
        match self {
            BulkDraftError::NothingToChange => Field::Form,
            BulkDraftError::Invalid(e) => e.field(),
        }
    }
}

impl BulkModifyDraft {
    pub fn is_unchanged(&self) -> bool {
        self.expiration == ExpirationChange::Unchanged
            && self.seats == SeatsChange::Unchanged
            && self.status.is_none()
    }

    /// The errors of the typed values (the same for every license), in form
    /// order, checked as Modify License checks them; empty when the draft
    /// can be previewed.
    pub fn errors(&self, today: NaiveDate) -> Vec<BulkDraftError> {
        if self.is_unchanged() {
            return vec![BulkDraftError::NothingToChange];
        }
        let mut errors = Vec::new();
        let typed = self.for_license_values(None);
        if self.expiration != ExpirationChange::Unchanged {
            if let Err(e) = parse_expiration(&typed, today) {
                errors.push(BulkDraftError::Invalid(e));
            }
        }
        if let SeatsChange::Count(text) = &self.seats {
            if let Err(e) = Seats::parse(text) {
                errors.push(BulkDraftError::Invalid(e.into()));
            }
        }
        if let Some(status) = &self.status {
            if let Err(e) = parse_status(status) {
                errors.push(BulkDraftError::Invalid(e));
            }
        }
        errors
    }

    /// The Modify License draft for `license`: the license's own value for
    /// every field left unchanged, the new value for the others.
    pub fn for_license(&self, license: &License) -> ModifyLicenseDraft {
        self.for_license_values(Some(license))
    }

    fn for_license_values(&self, license: Option<&License>) -> ModifyLicenseDraft {
        let mut draft = license
            .map(ModifyLicenseDraft::from_license)
            .unwrap_or_default();
        match &self.expiration {
            ExpirationChange::Unchanged => {}
            ExpirationChange::Date(date) => {
                draft.expiration_date = date.clone();
                draft.does_not_expire = false;
            }
            ExpirationChange::DoesNotExpire => draft.does_not_expire = true,
        }
        match &self.seats {
            SeatsChange::Unchanged => {}
            SeatsChange::Count(text) => {
                draft.seats = text.clone();
                draft.site_license = false;
            }
            SeatsChange::SiteLicense => draft.site_license = true,
        }
        if let Some(status) = &self.status {
            draft.status = status.clone();
        }
        draft
    }
}

/// What a bulk change does to one license.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkOutcome {
    /// The new values (the history lists each changed field, old and new).
    Changes(Box<ModifyOutcome>),
    /// The license already has these values: nothing to write.
    Unchanged,
    /// Modify License refuses it: every message, in form order.
    Refused(Vec<ModifyLicenseError>),
    /// Saved elsewhere since the preview: never overwritten.
    ChangedElsewhere,
}

impl BulkOutcome {
    /// The outcome in a word or two, before (`applied` false) or after the commit.
    pub fn label(&self, applied: bool) -> &'static str {
        match (self, applied) {
            (BulkOutcome::Changes(_), false) => "Will change",
            (BulkOutcome::Changes(_), true) => "Changed",
            (BulkOutcome::Unchanged, _) => "No change",
            (BulkOutcome::Refused(_), _) => "Refused",
            (BulkOutcome::ChangedElsewhere, _) => "Changed elsewhere",
        }
    }

    /// Refusals and conflicts come first in a preview: they need a look.
    pub fn rank(&self) -> u8 {
        match self {
            BulkOutcome::Refused(_) | BulkOutcome::ChangedElsewhere => 0,
            BulkOutcome::Changes(_) => 1,
            BulkOutcome::Unchanged => 2,
        }
    }
}

/// One selected license and what the bulk change does to it.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkItem {
    pub license_id: SfId,
    pub name: LicenseName,
    pub outcome: BulkOutcome,
}

impl BulkItem {
    /// What happens to the license, in words: "Licensed Seats 10 → 25;
    /// License Status Trial → Active", or the domain's refusal.
    pub fn description(&self) -> String {
        match &self.outcome {
            BulkOutcome::Changes(out) => out
                .history
                .iter()
                .map(|h| format!("{} {} → {}", h.field.label(), h.old_value, h.new_value))
                .collect::<Vec<_>>()
                .join("; "),
            BulkOutcome::Unchanged => "Already has these values: nothing to change.".to_string(),
            BulkOutcome::Refused(errors) => errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            BulkOutcome::ChangedElsewhere => format!(
                "License {} was changed elsewhere since the preview, so it was left as it is: preview again to see its current values.",
                self.name
            ),
        }
    }

    /// The domain's warnings for the new values (seats below used).
    pub fn warnings(&self) -> Vec<String> {
        match &self.outcome {
            BulkOutcome::Changes(out) => out.warnings.iter().map(ToString::to_string).collect(),
            _ => Vec::new(),
        }
    }
}

/// Applies `draft` to each license (with its License History), by Modify
/// License's rules, in the given order. New history IDs come from `seq`.
pub fn bulk_modify<'a>(
    licenses: impl IntoIterator<Item = (&'a License, &'a [HistoryEntry])>,
    draft: &BulkModifyDraft,
    actor: &User,
    today: NaiveDate,
    now: NaiveDateTime,
    seq: &mut Sequences,
) -> Vec<BulkItem> {
    licenses
        .into_iter()
        .map(|(license, history)| {
            let one = draft.for_license(license);
            let outcome = match modify_license_reporting_all(
                license, history, &one, actor, today, now, seq,
            ) {
                Ok(out) if out.history.is_empty() => BulkOutcome::Unchanged,
                Ok(out) => BulkOutcome::Changes(Box::new(out)),
                Err(errors) => BulkOutcome::Refused(errors),
            };
            BulkItem {
                license_id: license.id.clone(),
                name: license.name,
                outcome,
            }
        })
        .collect()
}

/// Why a license is refused, for the grouped counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalReason {
    Permission,
    Uninstalled,
    OrgLocked(OrgStatus),
    ExpirationInPast,
    BackToTrial,
    TrialNeedsExpiration,
    TrialTooLong,
    InvalidValue,
    ChangedElsewhere,
}

impl RefusalReason {
    /// The first (form-order) reason of a refused or conflicting license.
    pub fn of(outcome: &BulkOutcome) -> Option<RefusalReason> {
        use ModifyLicenseError as E;
        match outcome {
            BulkOutcome::ChangedElsewhere => Some(RefusalReason::ChangedElsewhere),
            BulkOutcome::Refused(errors) => Some(match errors.first()? {
                E::Permission(_) => RefusalReason::Permission,
                E::Uninstalled => RefusalReason::Uninstalled,
                E::OrgLocked { org_status } => RefusalReason::OrgLocked(*org_status),
                E::ExpirationInPast { .. } => RefusalReason::ExpirationInPast,
                E::BackToTrial => RefusalReason::BackToTrial,
                E::TrialNeedsExpiration { .. } => RefusalReason::TrialNeedsExpiration,
                E::TrialTooLong { .. } => RefusalReason::TrialTooLong,
                E::Seats(_)
                | E::ExpirationMissing
                | E::ExpirationInvalid(_)
                | E::StatusMissing
                | E::StatusUnknown { .. }
                | E::StatusUninstalled => RefusalReason::InvalidValue,
            }),
            BulkOutcome::Changes(_) | BulkOutcome::Unchanged => None,
        }
    }

    pub fn label(self) -> String {
        match self {
            RefusalReason::Permission => "no permission to modify licenses".to_string(),
            RefusalReason::Uninstalled => "Uninstalled".to_string(),
            RefusalReason::OrgLocked(status) => {
                format!("org {} (proxy user has deactivated)", status.label())
            }
            RefusalReason::ExpirationInPast => "expiration date in the past".to_string(),
            RefusalReason::BackToTrial => "can't return to Trial".to_string(),
            RefusalReason::TrialNeedsExpiration => "a Trial must expire".to_string(),
            RefusalReason::TrialTooLong => format!("Trial over {MAX_TRIAL_DAYS} days"),
            RefusalReason::InvalidValue => "invalid value".to_string(),
            RefusalReason::ChangedElsewhere => "changed elsewhere".to_string(),
        }
    }
}

/// The grouped counts of a bulk change's outcomes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkSummary {
    pub changing: usize,
    pub unchanged: usize,
    /// Refused and conflicting licenses by reason, most frequent first.
    pub refused: Vec<(RefusalReason, usize)>,
    /// Changing licenses whose new seats are fewer than their Used Licenses.
    pub seats_below_used: usize,
}

impl BulkSummary {
    pub fn of(items: &[BulkItem]) -> BulkSummary {
        let mut summary = BulkSummary::default();
        let mut refused: Vec<(RefusalReason, usize)> = Vec::new();
        for item in items {
            match &item.outcome {
                BulkOutcome::Changes(out) => {
                    summary.changing += 1;
                    if !out.warnings.is_empty() {
                        summary.seats_below_used += 1;
                    }
                }
                BulkOutcome::Unchanged => summary.unchanged += 1,
                other => {
                    if let Some(reason) = RefusalReason::of(other) {
                        match refused.iter_mut().find(|(r, _)| *r == reason) {
                            Some((_, n)) => *n += 1,
                            None => refused.push((reason, 1)),
                        }
                    }
                }
            }
        }
        // Stable: equal counts keep the order the reasons were first met.
        crate::sort::sort_by_key(&mut refused, |(_, n)| std::cmp::Reverse(*n));
        summary.refused = refused;
        summary
    }

    pub fn refused_count(&self) -> usize {
        self.refused.iter().map(|(_, n)| n).sum()
    }

    /// "412 will change, 9 refused: 7 Uninstalled, 2 org Suspended …".
    pub fn preview_text(&self) -> String {
        self.text("will change", "already have these values")
    }

    /// "412 changed, 9 refused: …" after the commit.
    pub fn applied_text(&self) -> String {
        self.text("changed", "already had these values")
    }

    fn text(&self, changing: &str, unchanged: &str) -> String {
        let n = |count: usize| group_thousands(i64::try_from(count).unwrap_or(i64::MAX));
        let mut text = format!("{} {changing}", n(self.changing));
        let refused = self.refused_count();
        if refused > 0 {
            let reasons: Vec<String> = self
                .refused
                .iter()
                .map(|(reason, count)| format!("{} {}", n(*count), reason.label()))
                .collect();
            text.push_str(&format!(", {} refused: {}", n(refused), reasons.join(", ")));
        }
        if self.unchanged > 0 {
            text.push_str(&format!("; {} {unchanged}", n(self.unchanged)));
        }
        text.push('.');
        if self.seats_below_used > 0 {
            text.push_str(&format!(
                " {} will have fewer Licensed Seats than Used Licenses.",
                n(self.seats_below_used)
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::license::fixtures::{at, date, license};
    use crate::domain::user::{seed_users, Profile};
    use crate::domain::{Expiration, HistoryField, KeyPrefix, LicenseStatus};

    fn today() -> NaiveDate {
        date(2025, 3, 1)
    }

    fn user(profile: Profile) -> User {
        seed_users()
            .into_iter()
            .find(|u| u.active && u.profile == profile)
            .unwrap()
    }

    fn numbered(n: u64) -> License {
        let mut l = license();
        l.id = SfId::generate(KeyPrefix::License, n);
        l.name = LicenseName::from_number(n);
        l
    }

    fn run(licenses: &[License], draft: &BulkModifyDraft, profile: Profile) -> Vec<BulkItem> {
        bulk_modify(
            licenses.iter().map(|l| (l, &[][..])),
            draft,
            &user(profile),
            today(),
            at(2025, 3, 1, 10, 0, 0),
            &mut Sequences::default(),
        )
    }

    fn seats(text: &str) -> BulkModifyDraft {
        BulkModifyDraft {
            seats: SeatsChange::Count(text.into()),
            ..BulkModifyDraft::default()
        }
    }

    #[test]
    fn fields_left_unchanged_keep_each_license_value() {
        let mut a = numbered(1);
        a.expiration = Expiration::DoesNotExpire;
        let mut b = numbered(2);
        b.status = LicenseStatus::Suspended;
        let items = run(
            &[a.clone(), b.clone()],
            &seats("25"),
            Profile::LicenseManager,
        );
        for (item, before) in items.iter().zip([&a, &b]) {
            let BulkOutcome::Changes(out) = &item.outcome else {
                panic!("{item:?}")
            };
            let fields: Vec<_> = out.history.iter().map(|h| h.field).collect();
            assert_eq!(fields, vec![HistoryField::Seats]);
            assert_eq!(out.license.seats, Seats::count(25).unwrap());
            assert_eq!(out.license.expiration, before.expiration);
            assert_eq!(out.license.status, before.status);
        }
        assert_eq!(items[0].description(), "Licensed Seats 10 → 25");
    }

    #[test]
    fn the_single_license_rules_refuse_per_license() {
        let ok = numbered(1);
        let mut gone = numbered(2);
        gone.status = LicenseStatus::Uninstalled;
        let mut locked = numbered(3);
        locked.org_status = OrgStatus::Suspended;
        let mut trial = numbered(4);
        trial.status = LicenseStatus::Trial;
        trial.ever_active = false;
        trial.expiration = Expiration::Date(date(2025, 3, 20));
        let draft = BulkModifyDraft {
            status: Some("Trial".into()),
            expiration: ExpirationChange::Date("2025-06-30".into()),
            ..BulkModifyDraft::default()
        };
        let items = run(&[ok, gone, locked, trial], &draft, Profile::LicenseManager);
        let reasons: Vec<_> = items
            .iter()
            .map(|i| RefusalReason::of(&i.outcome))
            .collect();
        assert_eq!(
            reasons,
            vec![
                Some(RefusalReason::BackToTrial),
                Some(RefusalReason::Uninstalled),
                Some(RefusalReason::OrgLocked(OrgStatus::Suspended)),
                Some(RefusalReason::TrialTooLong),
            ]
        );
        // The ex-Active one hears both of its problems, as by hand.
        let BulkOutcome::Refused(errors) = &items[0].outcome else {
            panic!()
        };
        assert_eq!(errors.len(), 2);
        assert!(items[2]
            .description()
            .contains("proxy user has deactivated"));
    }

    #[test]
    fn seats_below_used_are_counted_as_warnings() {
        let a = numbered(1); // 4 used
        let mut b = numbered(2);
        b.used_licenses = Some(1);
        let items = run(&[a, b], &seats("3"), Profile::SystemAdministrator);
        assert_eq!(items[0].warnings().len(), 1);
        assert!(items[1].warnings().is_empty());
        let summary = BulkSummary::of(&items);
        assert_eq!(summary.seats_below_used, 1);
        assert_eq!(
            summary.preview_text(),
            "2 will change. 1 will have fewer Licensed Seats than Used Licenses."
        );
    }

    #[test]
    fn a_profile_without_modify_license_is_refused_for_every_license() {
        let licenses = [numbered(1), numbered(2)];
        for profile in [Profile::SalesRep, Profile::ReadOnly] {
            let items = run(&licenses, &seats("25"), profile);
            let summary = BulkSummary::of(&items);
            assert_eq!(summary.changing, 0);
            assert_eq!(summary.refused, vec![(RefusalReason::Permission, 2)]);
        }
    }

    #[test]
    fn counts_group_reasons_most_frequent_first() {
        let mut licenses: Vec<License> = (1..=412).map(numbered).collect();
        for n in 413..=419 {
            let mut l = numbered(n);
            l.status = LicenseStatus::Uninstalled;
            licenses.push(l);
        }
        for n in 420..=421 {
            let mut l = numbered(n);
            l.org_status = OrgStatus::Suspended;
            licenses.push(l);
        }
        let mut same = numbered(422);
        same.seats = Seats::count(30).unwrap();
        licenses.push(same);
        let mut items = run(&licenses, &seats("30"), Profile::LicenseManager);
        items.push(BulkItem {
            license_id: SfId::generate(KeyPrefix::License, 500),
            name: LicenseName::from_number(500),
            outcome: BulkOutcome::ChangedElsewhere,
        });
        let summary = BulkSummary::of(&items);
        assert_eq!(summary.changing, 412);
        assert_eq!(summary.refused_count(), 10);
        assert_eq!(
            summary.preview_text(),
            "412 will change, 10 refused: 7 Uninstalled, 2 org Suspended (proxy user has deactivated), 1 changed elsewhere; 1 already have these values."
        );
        assert!(summary
            .applied_text()
            .starts_with("412 changed, 10 refused"));
    }

    #[test]
    fn the_draft_checks_changed_fields_only_as_modify_license_does() {
        assert_eq!(
            BulkModifyDraft::default().errors(today()),
            vec![BulkDraftError::NothingToChange]
        );
        assert!(seats("99000000").errors(today()).is_empty());
        let bad = BulkModifyDraft {
            expiration: ExpirationChange::Date("2025-02-28".into()),
            seats: SeatsChange::Count("0".into()),
            status: Some("Uninstalled".into()),
        };
        let fields: Vec<_> = bad.errors(today()).iter().map(|e| e.field()).collect();
        assert_eq!(fields, vec![Field::Expiration, Field::Seats, Field::Status]);
        let fine = BulkModifyDraft {
            expiration: ExpirationChange::Date("2025-03-01".into()),
            seats: SeatsChange::SiteLicense,
            status: Some("active".into()),
        };
        assert!(fine.errors(today()).is_empty());
        let never = BulkModifyDraft {
            expiration: ExpirationChange::DoesNotExpire,
            ..BulkModifyDraft::default()
        };
        assert!(never.errors(today()).is_empty());
    }

    #[test]
    fn an_expired_license_keeps_the_single_license_rule() {
        // By hand, a license whose expiration is past must get a new one
        // before any other change saves; in bulk too.
        let mut expired = numbered(1);
        expired.expiration = Expiration::Date(date(2025, 2, 1));
        let items = run(&[expired.clone()], &seats("20"), Profile::LicenseManager);
        assert_eq!(
            RefusalReason::of(&items[0].outcome),
            Some(RefusalReason::ExpirationInPast)
        );
        let draft = BulkModifyDraft {
            expiration: ExpirationChange::Date("2025-12-31".into()),
            ..seats("20")
        };
        let items = run(&[expired], &draft, Profile::LicenseManager);
        assert!(matches!(items[0].outcome, BulkOutcome::Changes(_)));
    }
}
