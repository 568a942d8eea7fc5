//! List views of the Licenses list, as in Lightning: a named set of filters,
//! sort and columns. The built-in views are plain data; a user's own views
//! are saved per browser in the settings, and read leniently: a view or a
//! value this version can't read is left out, never an error.

use std::collections::BTreeMap;

use thiserror::Error;

use super::list::{LicenseQuery, Sort, SortColumn, SortDirection};
use crate::domain::{LicenseStatus, OrgStatus};
use crate::storage::settings::{ListPrefs, SavedListView};

/// The longest list view name, as in Lightning.
pub const VIEW_NAME_MAX: usize = 40;

/// The view shown when none was picked, or the one picked is gone.
pub const ALL_LICENSES: &str = "All Licenses";

/// The columns a list shows. License Name is always shown: it is the link
/// to each license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Columns(u16);

impl Columns {
    pub fn all() -> Columns {
        Columns::from_iter(SortColumn::ALL)
    }

    pub fn contains(self, column: SortColumn) -> bool {
        self.0 & bit(column) != 0 || column == SortColumn::Name
    }

    /// Shows or hides `column` (License Name stays).
    pub fn with(self, column: SortColumn, shown: bool) -> Columns {
        let mask = if shown {
            self.0 | bit(column)
        } else {
            self.0 & !bit(column)
        };
        Columns(mask | bit(SortColumn::Name))
    }

    /// The columns shown, in the list's order.
    pub fn shown(self) -> Vec<SortColumn> {
        SortColumn::ALL
            .into_iter()
            .filter(|c| self.contains(*c))
            .collect()
    }

    pub fn keys(self) -> Vec<String> {
        self.shown().iter().map(|c| c.key().to_string()).collect()
    }

    /// Columns from their keys; unknown keys are skipped, and none known
    /// means every column.
    pub fn from_keys(keys: &[String]) -> Columns {
        let known: Vec<SortColumn> = keys
            .iter()
            .filter_map(|k| SortColumn::from_key(k))
            .filter(|c| *c != SortColumn::Name)
            .collect();
        if known.is_empty() {
            Columns::all()
        } else {
            Columns::from_iter(known)
        }
    }
}

impl Default for Columns {
    fn default() -> Columns {
        Columns::all()
    }
}

impl FromIterator<SortColumn> for Columns {
    fn from_iter<I: IntoIterator<Item = SortColumn>>(columns: I) -> Columns {
        Columns(
            columns
                .into_iter()
                .fold(bit(SortColumn::Name), |mask, c| mask | bit(c)),
        )
    }
}

fn bit(column: SortColumn) -> u16 {
    let index = SortColumn::ALL
        .iter()
        .position(|c| *c == column)
        .unwrap_or_default();
    1 << index
}

/// A named list view: which licenses (filters), in which order (sort), with
/// which columns. The search box is not part of a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListView {
    pub name: String,
    /// Built-in views can't be renamed or deleted.
    pub built_in: bool,
    pub query: LicenseQuery,
    pub columns: Columns,
}

impl ListView {
    /// Whether `query` and `columns` show what this view shows (the search
    /// text aside).
    pub fn matches(&self, query: &LicenseQuery, columns: Columns) -> bool {
        self.query.without_text_and_sort() == query.without_text_and_sort()
            && self.query.sort == query.sort
            && self.columns == columns
    }
}

fn built_in(name: &str, change: impl FnOnce(&mut LicenseQuery)) -> ListView {
    let mut query = LicenseQuery::default();
    change(&mut query);
    ListView {
        name: name.to_string(),
        built_in: true,
        query,
        columns: Columns::all(),
    }
}

const SOONEST_FIRST: Sort = Sort {
    column: SortColumn::Expiration,
    direction: SortDirection::Ascending,
};

/// The built-in views, in the menu's order.
pub fn built_in_views() -> Vec<ListView> {
    let expiring = |days: u32| {
        built_in(&format!("Expiring in {days} days"), move |q| {
            q.expires_within_days = Some(days);
            q.sort = SOONEST_FIRST;
        })
    };
    vec![
        built_in(ALL_LICENSES, |_| {}),
        expiring(30),
        expiring(60),
        expiring(90),
        built_in("Trials", |q| {
            q.status = Some(LicenseStatus::Trial);
            q.sort = SOONEST_FIRST;
        }),
        built_in("Expired", |q| {
            q.expired = Some(true);
            q.sort = SOONEST_FIRST;
        }),
        built_in("Seats over limit", |q| q.seats_over_limit = true),
        built_in("Production only", |q| q.sandbox = Some(false)),
        built_in("Active customers", |q| {
            q.status = Some(LicenseStatus::Active);
            q.expired = Some(false);
            q.sandbox = Some(false);
            q.org_status = Some(OrgStatus::Active);
        }),
    ]
}

/// Why a list view can't be saved, renamed or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ListViewError {
    #[error("List View Name is required: type a name for this view.")]
    NameRequired,
    #[error(
        "List View Name can be at most {VIEW_NAME_MAX} characters; this one has {0}. Shorten it."
    )]
    NameTooLong(usize),
    #[error("A list view named \"{0}\" already exists: choose another name.")]
    NameTaken(String),
    #[error("\"{0}\" is a built-in view: it can't be renamed or deleted. Save it as a new view instead.")]
    BuiltIn(String),
    #[error("There is no list view named \"{0}\".")]
    NotFound(String),
}

impl ListViewError {
    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        "List View Name"
    }
}

/// The built-in views and the user's own, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListViews {
    built_in: Vec<ListView>,
    saved: Vec<ListView>,
}

impl Default for ListViews {
    fn default() -> ListViews {
        ListViews::new(Vec::new())
    }
}

impl ListViews {
    pub fn new(saved: Vec<ListView>) -> ListViews {
        ListViews {
            built_in: built_in_views(),
            saved,
        }
    }

    /// The user's views from the settings. A view without a usable name, or
    /// named like one before it (or a built-in), is left out.
    pub fn from_settings(stored: &[SavedListView]) -> ListViews {
        let mut views = ListViews::default();
        for s in stored {
            let (query, columns) = state_from_prefs(&s.prefs);
            if let Ok(name) = views.check_name(&s.name, None) {
                views.saved.push(ListView {
                    name,
                    built_in: false,
                    query,
                    columns,
                });
            }
        }
        views
    }

    pub fn to_settings(&self) -> Vec<SavedListView> {
        self.saved
            .iter()
            .map(|v| SavedListView {
                name: v.name.clone(),
                prefs: prefs_from_state(&v.query, v.columns, None),
            })
            .collect()
    }

    pub fn built_in(&self) -> &[ListView] {
        &self.built_in
    }

    pub fn saved(&self) -> &[ListView] {
        &self.saved
    }

    pub fn find(&self, name: &str) -> Option<&ListView> {
        self.built_in
            .iter()
            .chain(&self.saved)
            .find(|v| v.name == name)
    }

    /// The view named `name`, or All Licenses when there is none.
    pub fn find_or_all(&self, name: Option<&str>) -> ListView {
        name.and_then(|n| self.find(n))
            .or_else(|| self.built_in.first())
            .cloned()
            .unwrap_or_else(|| built_in(ALL_LICENSES, |_| {}))
    }

    /// A trimmed name that no other view has (names compare without case);
    /// `renaming` is the view being renamed, which may keep its name.
    pub fn check_name(&self, name: &str, renaming: Option<&str>) -> Result<String, ListViewError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ListViewError::NameRequired);
        }
        let length = name.chars().count();
        if length > VIEW_NAME_MAX {
            return Err(ListViewError::NameTooLong(length));
        }
        let taken = self
            .built_in
            .iter()
            .chain(&self.saved)
            .filter(|v| Some(v.name.as_str()) != renaming)
            .find(|v| v.name.to_lowercase() == name.to_lowercase());
        match taken {
            Some(v) => Err(ListViewError::NameTaken(v.name.clone())),
            None => Ok(name.to_string()),
        }
    }

    /// Saves the current filters, sort and columns as a new view.
    pub fn save_as(
        &mut self,
        name: &str,
        query: &LicenseQuery,
        columns: Columns,
    ) -> Result<ListView, ListViewError> {
        let name = self.check_name(name, None)?;
        let view = ListView {
            name,
            built_in: false,
            query: LicenseQuery {
                text: String::new(),
                ..query.clone()
            },
            columns,
        };
        self.saved.push(view.clone());
        Ok(view)
    }

    /// Replaces a user's view's filters, sort and columns with the current ones.
    pub fn update(
        &mut self,
        name: &str,
        query: &LicenseQuery,
        columns: Columns,
    ) -> Result<ListView, ListViewError> {
        let view = self.saved_mut(name)?;
        view.query = LicenseQuery {
            text: String::new(),
            ..query.clone()
        };
        view.columns = columns;
        Ok(view.clone())
    }

    pub fn rename(&mut self, name: &str, new_name: &str) -> Result<ListView, ListViewError> {
        self.saved_mut(name)?;
        let new_name = self.check_name(new_name, Some(name))?;
        let view = self.saved_mut(name)?;
        view.name = new_name;
        Ok(view.clone())
    }

    pub fn delete(&mut self, name: &str) -> Result<(), ListViewError> {
        self.saved_mut(name)?;
        self.saved.retain(|v| v.name != name);
        Ok(())
    }

    fn saved_mut(&mut self, name: &str) -> Result<&mut ListView, ListViewError> {
        if self.built_in.iter().any(|v| v.name == name) {
            return Err(ListViewError::BuiltIn(name.to_string()));
        }
        self.saved
            .iter_mut()
            .find(|v| v.name == name)
            .ok_or_else(|| ListViewError::NotFound(name.to_string()))
    }
}

// The settings' names of the filters, kept from before list views existed.
const STATUS: &str = "status";
const PACKAGE: &str = "package";
const SANDBOX: &str = "sandbox";
const ORG_STATUS: &str = "org_status";
const EXPIRES_WITHIN: &str = "expires_within_days";
const EXPIRED: &str = "expired";
const SEATS: &str = "seats";

/// The Sandbox filter's value: "sandbox", "production", or "" for both.
pub fn sandbox_value(sandbox: Option<bool>) -> &'static str {
    match sandbox {
        None => "",
        Some(true) => "sandbox",
        Some(false) => "production",
    }
}

pub fn sandbox_from_value(value: &str) -> Option<bool> {
    match value {
        "sandbox" => Some(true),
        "production" => Some(false),
        _ => None,
    }
}

/// The Expired filter's value: "expired", "not_expired", or "" for both.
pub fn expired_value(expired: Option<bool>) -> &'static str {
    match expired {
        None => "",
        Some(true) => "expired",
        Some(false) => "not_expired",
    }
}

pub fn expired_from_value(value: &str) -> Option<bool> {
    match value {
        "expired" => Some(true),
        "not_expired" => Some(false),
        _ => None,
    }
}

/// The filters, sort and columns as the settings keep them (the search
/// text is not kept: finding it again next time would surprise).
pub fn prefs_from_state(query: &LicenseQuery, columns: Columns, view: Option<&str>) -> ListPrefs {
    let mut filters = BTreeMap::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            filters.insert(name.to_string(), v);
        }
    };
    put(STATUS, query.status.map(|s| s.label().to_string()));
    put(PACKAGE, query.package.clone());
    put(
        SANDBOX,
        query.sandbox.map(|s| sandbox_value(Some(s)).to_string()),
    );
    put(ORG_STATUS, query.org_status.map(|s| s.label().to_string()));
    put(
        EXPIRES_WITHIN,
        query.expires_within_days.map(|d| d.to_string()),
    );
    put(
        EXPIRED,
        query.expired.map(|e| expired_value(Some(e)).to_string()),
    );
    put(
        SEATS,
        query.seats_over_limit.then(|| "over_limit".to_string()),
    );
    ListPrefs {
        sort_by: Some(query.sort.column.key().to_string()),
        descending: query.sort.direction == SortDirection::Descending,
        page_size: None,
        filters,
        columns: Some(columns.keys()),
        view: view.map(str::to_string),
    }
}

/// The filters, sort and columns of stored settings; a value that can't be
/// read is no filter.
pub fn state_from_prefs(prefs: &ListPrefs) -> (LicenseQuery, Columns) {
    let filter = |name: &str| {
        prefs
            .filters
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let query = LicenseQuery {
        text: String::new(),
        status: filter(STATUS).and_then(|s| LicenseStatus::parse(s).ok()),
        package: filter(PACKAGE).map(str::to_string),
        sandbox: filter(SANDBOX).and_then(sandbox_from_value),
        org_status: filter(ORG_STATUS).and_then(|s| OrgStatus::parse(s).ok()),
        expires_within_days: filter(EXPIRES_WITHIN).and_then(|s| s.parse().ok()),
        expired: filter(EXPIRED).and_then(expired_from_value),
        seats_over_limit: filter(SEATS) == Some("over_limit"),
        sort: Sort {
            column: prefs
                .sort_by
                .as_deref()
                .and_then(SortColumn::from_key)
                .unwrap_or_default(),
            direction: if prefs.descending {
                SortDirection::Descending
            } else {
                SortDirection::Ascending
            },
        },
    };
    let columns = prefs
        .columns
        .as_deref()
        .map_or_else(Columns::all, Columns::from_keys);
    (query, columns)
}

/// The view, filters, sort and columns the list opens with: as left last
/// time; or All Licenses when the view picked then is gone (deleted in
/// another tab, or settings this version can't read).
pub fn starting_state(views: &ListViews, prefs: &ListPrefs) -> (ListView, LicenseQuery, Columns) {
    match prefs.view.as_deref() {
        Some(name) if views.find(name).is_none() => {
            let all = views.find_or_all(None);
            let (query, columns) = (all.query.clone(), all.columns);
            (all, query, columns)
        }
        name => {
            let (query, columns) = state_from_prefs(prefs);
            (views.find_or_all(name), query, columns)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Expiration, KeyPrefix, Seats, SfId};
    use crate::services::licenses::fixtures::{date, license, today};
    use crate::services::licenses::{LicenseList, LicenseRow, Lookups};

    fn view<'a>(views: &'a ListViews, name: &str) -> &'a ListView {
        views.find(name).unwrap()
    }

    #[test]
    fn built_in_views_are_the_issue_s_list_with_unique_names() {
        let views = ListViews::default();
        let names: Vec<&str> = views.built_in().iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "All Licenses",
                "Expiring in 30 days",
                "Expiring in 60 days",
                "Expiring in 90 days",
                "Trials",
                "Expired",
                "Seats over limit",
                "Production only",
                "Active customers",
            ]
        );
        assert!(views.built_in().iter().all(|v| v.built_in));
        assert_eq!(view(&views, "All Licenses").query, LicenseQuery::default());
        assert!(!view(&views, "All Licenses").query.is_filtered());
        assert!(views
            .built_in()
            .iter()
            .skip(1)
            .all(|v| v.query.is_filtered()));
    }

    /// One license per case a built-in view tells apart, on 2025-03-01.
    fn list() -> LicenseList {
        let mut rows = Vec::new();
        let lookups = Lookups::default();
        let mut add = |n: u64, change: &dyn Fn(&mut crate::domain::License)| {
            let mut l = license(n);
            change(&mut l);
            rows.push(LicenseRow::new(&l, &lookups));
        };
        // 1: Active, expires in 10 days, production, org Active.
        add(1, &|l| l.expiration = Expiration::Date(date(2025, 3, 11)));
        // 2: Trial, expires in 45 days.
        add(2, &|l| {
            l.status = LicenseStatus::Trial;
            l.expiration = Expiration::Date(date(2025, 4, 15));
        });
        // 3: Active, expires in 80 days, sandbox.
        add(3, &|l| {
            l.expiration = Expiration::Date(date(2025, 5, 20));
            l.sandbox = true;
        });
        // 4: Active, expired yesterday, over its seats.
        add(4, &|l| {
            l.expiration = Expiration::Date(date(2025, 2, 28));
            l.used_licenses = Some(12);
        });
        // 5: Suspended, past its date.
        add(5, &|l| {
            l.status = LicenseStatus::Suspended;
            l.expiration = Expiration::Date(date(2025, 1, 1));
        });
        // 6: Uninstalled, date in 5 days.
        add(6, &|l| {
            l.status = LicenseStatus::Uninstalled;
            l.used_licenses = None;
            l.expiration = Expiration::Date(date(2025, 3, 6));
        });
        // 7: Active, does not expire, org Suspended.
        add(7, &|l| {
            l.expiration = Expiration::DoesNotExpire;
            l.org_status = OrgStatus::Suspended;
        });
        // 8: Active site license, does not expire.
        add(8, &|l| {
            l.expiration = Expiration::DoesNotExpire;
            l.seats = Seats::SiteLicense;
            l.used_licenses = None;
        });
        LicenseList::new(rows)
    }

    fn shown(name: &str) -> Vec<String> {
        let views = ListViews::default();
        list()
            .apply(&view(&views, name).query, today())
            .iter()
            .map(|r| r.name.clone())
            .collect()
    }

    #[test]
    fn built_in_views_select_the_right_licenses() {
        assert_eq!(shown("All Licenses").len(), 8);
        assert_eq!(shown("Expiring in 30 days"), vec!["L-00001"]);
        // Soonest first.
        assert_eq!(shown("Expiring in 60 days"), vec!["L-00001", "L-00002"]);
        assert_eq!(
            shown("Expiring in 90 days"),
            vec!["L-00001", "L-00002", "L-00003"]
        );
        assert_eq!(shown("Trials"), vec!["L-00002"]);
        assert_eq!(shown("Expired"), vec!["L-00004"]);
        assert_eq!(shown("Seats over limit"), vec!["L-00004"]);
        assert_eq!(shown("Production only").len(), 7);
        assert!(!shown("Production only").contains(&"L-00003".to_string()));
        assert_eq!(shown("Active customers"), vec!["L-00001", "L-00008"]);
    }

    #[test]
    fn save_as_rename_and_delete_a_view() {
        let mut views = ListViews::default();
        let query = LicenseQuery {
            text: "acme".into(),
            status: Some(LicenseStatus::Trial),
            package: Some(SfId::generate(KeyPrefix::Package, 1).to18().to_string()),
            ..LicenseQuery::default()
        };
        let columns = Columns::all().with(SortColumn::InstallDate, false);
        let saved = views.save_as("  My trials ", &query, columns).unwrap();
        assert_eq!(saved.name, "My trials");
        assert!(!saved.built_in);
        // The search text is not part of a view.
        assert_eq!(saved.query.text, "");
        assert!(saved.matches(&query, columns));
        assert!(!saved.matches(&LicenseQuery::default(), columns));

        assert_eq!(
            views.save_as("my TRIALS", &query, columns),
            Err(ListViewError::NameTaken("My trials".into()))
        );
        assert_eq!(
            views.save_as("trials", &query, columns),
            Err(ListViewError::NameTaken("Trials".into()))
        );
        assert_eq!(
            views.save_as("   ", &query, columns),
            Err(ListViewError::NameRequired)
        );
        let long = "x".repeat(VIEW_NAME_MAX + 1);
        assert_eq!(
            views.save_as(&long, &query, columns),
            Err(ListViewError::NameTooLong(VIEW_NAME_MAX + 1))
        );
        assert!(views
            .save_as(&"x".repeat(VIEW_NAME_MAX), &query, columns)
            .is_ok());

        // Renaming may keep the name or change its case.
        assert!(views.rename("My trials", "My Trials").is_ok());
        assert_eq!(
            views.rename("My Trials", "Expired"),
            Err(ListViewError::NameTaken("Expired".into()))
        );
        assert_eq!(
            views.rename("My Trials", " "),
            Err(ListViewError::NameRequired)
        );
        let renamed = views.rename("My Trials", "Trials to chase").unwrap();
        assert_eq!(renamed.query.status, Some(LicenseStatus::Trial));
        assert!(views.find("My Trials").is_none());

        // Built-ins can't be renamed or deleted.
        assert_eq!(
            views.rename("Trials", "Mine"),
            Err(ListViewError::BuiltIn("Trials".into()))
        );
        assert_eq!(
            views.delete("All Licenses"),
            Err(ListViewError::BuiltIn("All Licenses".into()))
        );
        assert!(ListViewError::BuiltIn("Trials".into())
            .to_string()
            .contains("can't be renamed or deleted"));

        views.delete("Trials to chase").unwrap();
        assert!(views.find("Trials to chase").is_none());
        assert_eq!(
            views.delete("Trials to chase"),
            Err(ListViewError::NotFound("Trials to chase".into()))
        );
        assert_eq!(
            views.find_or_all(Some("Trials to chase")).name,
            ALL_LICENSES
        );
    }

    #[test]
    fn views_round_trip_through_the_settings() {
        let mut views = ListViews::default();
        let query = LicenseQuery {
            status: Some(LicenseStatus::Active),
            package: Some("033000000000001AAA".into()),
            sandbox: Some(false),
            org_status: Some(OrgStatus::Free),
            expires_within_days: Some(45),
            expired: Some(false),
            seats_over_limit: true,
            sort: Sort {
                column: SortColumn::Seats,
                direction: SortDirection::Descending,
            },
            ..LicenseQuery::default()
        };
        let columns = Columns::from_iter([SortColumn::Status, SortColumn::Seats]);
        views.save_as("Big", &query, columns).unwrap();
        views
            .save_as("Plain", &LicenseQuery::default(), Columns::all())
            .unwrap();
        let stored = views.to_settings();
        let json = serde_json::to_string(&stored).unwrap();
        let back: Vec<SavedListView> = serde_json::from_str(&json).unwrap();
        assert_eq!(ListViews::from_settings(&back), views);
        let big = ListViews::from_settings(&back)
            .find("Big")
            .cloned()
            .unwrap();
        assert_eq!(big.query, query);
        assert_eq!(
            big.columns.shown(),
            vec![SortColumn::Name, SortColumn::Status, SortColumn::Seats]
        );
    }

    #[test]
    fn bad_stored_views_and_values_are_left_out() {
        let mut prefs = ListPrefs::default();
        prefs.filters.insert("status".into(), "Gone".into());
        prefs
            .filters
            .insert("expires_within_days".into(), "-3".into());
        prefs.filters.insert("expired".into(), "maybe".into());
        prefs.filters.insert("sandbox".into(), "".into());
        prefs.sort_by = Some("nonsense".into());
        prefs.columns = Some(vec!["unknown".into()]);
        let (query, columns) = state_from_prefs(&prefs);
        assert_eq!(query, LicenseQuery::default());
        assert_eq!(columns, Columns::all());

        let stored = vec![
            SavedListView {
                name: "".into(),
                prefs: ListPrefs::default(),
            },
            SavedListView {
                name: "All Licenses".into(),
                prefs: prefs.clone(),
            },
            SavedListView {
                name: "Mine".into(),
                prefs: prefs.clone(),
            },
            SavedListView {
                name: "MINE".into(),
                prefs,
            },
        ];
        let views = ListViews::from_settings(&stored);
        let names: Vec<&str> = views.saved().iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, vec!["Mine"]);
        assert_eq!(view(&views, "All Licenses").query, LicenseQuery::default());
    }

    #[test]
    fn the_list_opens_as_left_or_on_all_licenses() {
        let mut views = ListViews::default();
        let trials = view(&views, "Trials").clone();
        let prefs = prefs_from_state(&trials.query, trials.columns, Some("Trials"));
        let (v, q, c) = starting_state(&views, &prefs);
        assert_eq!(
            (v.name.as_str(), &q, c),
            ("Trials", &trials.query, trials.columns)
        );

        // Settings from before list views: the last filters, on All Licenses.
        let mut old = ListPrefs::default();
        old.filters.insert("status".into(), "Suspended".into());
        let (v, q, _) = starting_state(&views, &old);
        assert_eq!(v.name, ALL_LICENSES);
        assert_eq!(q.status, Some(LicenseStatus::Suspended));

        // A view that is gone: All Licenses, unfiltered.
        views
            .save_as("Mine", &trials.query, Columns::all())
            .unwrap();
        let prefs = prefs_from_state(&trials.query, Columns::all(), Some("Mine"));
        assert_eq!(starting_state(&views, &prefs).0.name, "Mine");
        views.delete("Mine").unwrap();
        let (v, q, c) = starting_state(&views, &prefs);
        assert_eq!(v.name, ALL_LICENSES);
        assert_eq!(q, LicenseQuery::default());
        assert_eq!(c, Columns::all());
    }

    #[test]
    fn columns_always_keep_license_name() {
        let none = Columns::from_iter([]);
        assert_eq!(none.shown(), vec![SortColumn::Name]);
        let c = Columns::all().with(SortColumn::Name, false);
        assert!(c.contains(SortColumn::Name));
        let c = Columns::all().with(SortColumn::Package, false);
        assert!(!c.contains(SortColumn::Package));
        assert_eq!(c.shown().len(), SortColumn::ALL.len() - 1);
        assert_eq!(Columns::from_keys(&c.keys()), c);
        assert!(c.with(SortColumn::Package, true) == Columns::all());
    }
}
