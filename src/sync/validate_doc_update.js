function (newDoc, oldDoc, userCtx, secObj) {
  // License Desk's permissions on a shared CouchDB database: the server, not
  // the desk's "Acting as" switcher, decides who may write what. CouchDB runs
  // this on every write, replicated ones included (src/sync/design.rs installs
  // it as _design/license_desk). Plain ES5: CouchDB's JavaScript engine.
  //
  // The values below are the domain's (src/domain): a Rust test checks that
  // they match, so the server and the desks refuse the same records.
  var MAX_SEATS = 99000000;
  var SITE_LICENSE = -1;
  var LICENSE_STATUSES = ["Trial", "Active", "Suspended", "Uninstalled"];
  var OBJECTS = ["User", "sfLma__Package__c", "sfLma__Package_Version__c", "Account", "Contact", "Lead", "sfLma__License__c", "sfLma__License__History", "LicenseDesk__Install_Event__c"];
  var LICENSE = "sfLma__License__c";
  var PACKAGE_VERSION = "sfLma__Package_Version__c";
  var USER = "User";
  var SEATS = "sfLma__Seats__c";
  var STATUS = "sfLma__Status__c";
  // What Convert Lead changes on a license (a Sales Rep may convert leads).
  var CONVERSION_FIELDS = ["sfLma__Account__c", "sfLma__Contact__c", "LicenseDesk__Lead_Name__c", "LastModifiedById", "LastModifiedDate"];
  // CouchDB roles and the LMA profiles they stand for.
  var PROFILES = [
    ["lma_admin", "System Administrator"],
    ["lma_license_manager", "License Manager"],
    ["lma_sales_rep", "Sales Rep"],
    ["lma_read_only", "Read Only"]
  ];

  if (newDoc._id.indexOf("_design/") === 0) {
    // CouchDB lets only server admins write design documents.
    return;
  }
  if (!userCtx || !userCtx.name) {
    throw({unauthorized: "Log in to write to this database: License Desk takes changes only from a known user."});
  }
  var roles = userCtx.roles || [];
  function has(role) {
    return roles.indexOf(role) !== -1;
  }
  var serverAdmin = has("_admin");
  var profile = null;
  for (var i = 0; i < PROFILES.length && profile === null; i++) {
    if (has(PROFILES[i][0])) {
      profile = PROFILES[i][1];
    }
  }
  if (!serverAdmin && profile === null) {
    throw({forbidden: "The user " + userCtx.name + " has none of the License Desk roles (lma_admin, lma_license_manager, lma_sales_rep, lma_read_only); ask a database admin to give them the role of their profile."});
  }
  var manages = serverAdmin || profile === "System Administrator" || profile === "License Manager";
  var who = serverAdmin && profile === null ? "A server admin" : "The " + profile + " profile";

  // The record's object, from its _id: "<object API name>:<Id>".
  var colon = newDoc._id.indexOf(":");
  var object = colon > 0 ? newDoc._id.substring(0, colon) : "";
  var key = colon > 0 ? newDoc._id.substring(colon + 1) : "";
  if (OBJECTS.indexOf(object) === -1 || key === "") {
    throw({forbidden: "The _id " + newDoc._id + " names no License Desk object; it must be <object API name>:<Id>, such as sfLma__License__c:a0L000000000001AAA."});
  }

  if (newDoc._deleted) {
    if (!manages) {
      throw({forbidden: who + " can't delete records; ask a user with the System Administrator or License Manager profile to do it."});
    }
    if (object === PACKAGE_VERSION && oldDoc && !oldDoc._deleted) {
      throw({forbidden: "Package versions are read-only for every user; " + newDoc._id + " can't be deleted."});
    }
    return;
  }

  // A malformed record is refused whoever writes it.
  if (newDoc.type !== object) {
    throw({forbidden: "The document's type is " + JSON.stringify(newDoc.type) + " but its _id names a " + object + "; the two must agree."});
  }
  if (newDoc.Id !== key) {
    throw({forbidden: "The document's Id is " + JSON.stringify(newDoc.Id) + " but its _id names " + key + "; the two must agree."});
  }
  if (object === LICENSE) {
    var seats = newDoc[SEATS];
    var whole = typeof seats === "number" && Math.floor(seats) === seats;
    if (!whole || (seats !== SITE_LICENSE && (seats < 1 || seats > MAX_SEATS))) {
      throw({forbidden: SEATS + ": Licensed Seats must be a whole number from 1 to 99,000,000, or -1 for a Site License; " + JSON.stringify(seats) + " is not."});
    }
    if (LICENSE_STATUSES.indexOf(newDoc[STATUS]) === -1) {
      throw({forbidden: STATUS + ": " + JSON.stringify(newDoc[STATUS]) + " is not a License Status; choose one of: " + LICENSE_STATUSES.join(", ") + "."});
    }
  }

  var existing = oldDoc && !oldDoc._deleted ? oldDoc : null;
  // The fields of `a` and `b` that differ, CouchDB's own (_rev, ...) aside.
  function changed(a, b) {
    var names = [];
    var seen = {};
    var field;
    for (field in a) {
      seen[field] = true;
    }
    for (field in b) {
      seen[field] = true;
    }
    for (field in seen) {
      if (field.charAt(0) !== "_" && JSON.stringify(a[field]) !== JSON.stringify(b[field])) {
        names.push(field);
      }
    }
    return names;
  }

  if (object === PACKAGE_VERSION) {
    if (existing) {
      if (changed(existing, newDoc).length > 0) {
        throw({forbidden: "Package versions are read-only for every user; " + newDoc._id + " can't be changed."});
      }
    } else if (!manages) {
      throw({forbidden: who + " can't add package versions; they come from the License Management App."});
    }
  }

  if (object === LICENSE && !manages) {
    var onlyConversion = false;
    if (existing && profile === "Sales Rep") {
      var fields = changed(existing, newDoc);
      onlyConversion = true;
      for (var f = 0; f < fields.length; f++) {
        if (CONVERSION_FIELDS.indexOf(fields[f]) === -1) {
          onlyConversion = false;
        }
      }
    }
    if (!onlyConversion) {
      throw({forbidden: who + " can't modify licenses. Ask a user with the System Administrator or License Manager profile to do it."});
    }
  }

  if (object === USER && !(serverAdmin || profile === "System Administrator")) {
    throw({forbidden: who + " can't change users or their profiles; ask a System Administrator."});
  }
}
