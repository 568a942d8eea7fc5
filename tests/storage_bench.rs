//! IndexedDB repository speed against raw JavaScript IndexedDB, on 100,000
//! licenses: one bulk insert (one transaction) and one read of them all.
//!
//! Ignored by default (it takes a while in a debug build). Run it in release:
//! `cargo test --release --target wasm32-unknown-unknown --test storage_bench -- --include-ignored`
#![cfg(target_arch = "wasm32")]

use license_desk::domain::{KeyPrefix, License, LicenseName, SfId};
use license_desk::storage::contract::samples;
use license_desk::storage::{Expect, IdbRepository, Record, Repository};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const N: usize = 100_000;

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

fn licenses(template: &License) -> Vec<License> {
    (0..N)
        .map(|i| {
            let mut l = template.clone();
            l.id = SfId::generate(KeyPrefix::License, i as u64 + 1);
            l.name = LicenseName::from_number(i as u64 + 1);
            l
        })
        .collect()
}

/// Raw JS: the same stored objects (a structured clone of one encoded
/// license with its id changed), put in one transaction, then getAll.
const RAW_JS: &str = r#"
return (async () => {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    const s = open.result.createObjectStore('licenses', { keyPath: 'id' });
    for (const ix of ['status', 'package', 'expiration', 'org', 'lead', 'account']) {
      s.createIndex(ix, 'ix_' + ix);
    }
  };
  const db = await new Promise((ok, ko) => { open.onsuccess = () => ok(open.result); open.onerror = () => ko(open.error); });
  const objects = [];
  for (let i = 0; i < n; i++) {
    const o = structuredClone(template);
    o.id = 'raw' + String(i).padStart(15, '0');
    o.data.id = o.id;
    objects.push(o);
  }
  let t0 = performance.now();
  const tx = db.transaction('licenses', 'readwrite');
  const store = tx.objectStore('licenses');
  for (const o of objects) store.add(o);
  await new Promise((ok, ko) => { tx.oncomplete = ok; tx.onabort = () => ko(tx.error); });
  const put = performance.now() - t0;
  t0 = performance.now();
  const rtx = db.transaction('licenses');
  const req = rtx.objectStore('licenses').getAll();
  const all = await new Promise((ok, ko) => { req.onsuccess = () => ok(req.result); req.onerror = () => ko(req.error); });
  const get = performance.now() - t0;
  db.close();
  return [put, get, all.length];
})();
"#;

#[wasm_bindgen_test]
#[ignore]
async fn bulk_insert_and_get_all_against_raw_indexeddb() {
    let world = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    let records = licenses(&world.license);
    let stamp = js_sys::Date::now();

    // Raw JS first (same browser, same shapes).
    let template = match license_desk::storage::encode_v1(&world.license, 1) {
        Ok(v) => v,
        Err(e) => panic!("encode: {e}"),
    };
    // Give the template the index fields the repository writes.
    for def in License::STORE.indexes() {
        if let Some(v) = world.license.index_value(def.name) {
            let _ = js_sys::Reflect::set(&template, &def.key_path.into(), &v.into());
        }
    }
    let raw = js_sys::Function::new_with_args("name, n, template", RAW_JS);
    let promise = match raw.call3(
        &JsValue::NULL,
        &format!("ld-bench-raw-{stamp}").into(),
        &(N as f64).into(),
        &template,
    ) {
        Ok(p) => p,
        Err(e) => panic!("raw js: {e:?}"),
    };
    let result =
        match wasm_bindgen_futures::JsFuture::from(promise.unchecked_into::<js_sys::Promise>())
            .await
        {
            Ok(r) => js_sys::Array::from(&r),
            Err(e) => panic!("raw js: {e:?}"),
        };
    let raw_put = result.get(0).as_f64().unwrap_or(f64::NAN);
    let raw_get = result.get(1).as_f64().unwrap_or(f64::NAN);

    // What converting records to JS objects costs on its own.
    let t0 = now_ms();
    let mut encoded = 0usize;
    for l in records.iter().take(20_000) {
        if license_desk::storage::encode_v1(l, 1).is_ok() {
            encoded += 1;
        }
    }
    let encode_20k = now_ms() - t0;
    assert_eq!(encoded, 20_000);
    let objects: Vec<JsValue> = records
        .iter()
        .take(20_000)
        .filter_map(|l| serde_wasm_bindgen::to_value(l).ok())
        .collect();
    let t0 = now_ms();
    let decoded = objects
        .iter()
        .filter(|o| serde_wasm_bindgen::from_value::<License>((*o).clone()).is_ok())
        .count();
    let decode_20k = now_ms() - t0;
    assert_eq!(decoded, 20_000);
    let t0 = now_ms();
    let texts: Vec<JsValue> = records
        .iter()
        .take(20_000)
        .filter_map(|l| serde_json::to_string(l).ok())
        .map(|t| JsValue::from_str(&t))
        .collect();
    let json_encode_20k = now_ms() - t0;
    let t0 = now_ms();
    let json_decoded = texts
        .iter()
        .filter_map(|t| t.as_string())
        .filter(|t| serde_json::from_str::<License>(t).is_ok())
        .count();
    let json_decode_20k = now_ms() - t0;
    assert_eq!(json_decoded, 20_000);
    console_log!("20k: swb decode {decode_20k:.0} ms; json encode {json_encode_20k:.0} ms, json decode {json_decode_20k:.0} ms");

    let repo = match IdbRepository::open(&format!("ld-bench-repo-{stamp}")).await {
        Ok(r) => r,
        Err(e) => panic!("open: {e}"),
    };
    let t0 = now_ms();
    if let Err(e) = repo.put_all(records, Expect::Absent).await {
        panic!("put_all: {e}");
    }
    let put = now_ms() - t0;
    let t0 = now_ms();
    let all = match repo.get_all::<License>().await {
        Ok(all) => all,
        Err(e) => panic!("get_all: {e}"),
    };
    let get = now_ms() - t0;
    assert_eq!(all.len(), N);

    // Reads of the same database, alternating sides, three times each.
    let raw_get_all = js_sys::Function::new_with_args(
        "name, n",
        r#"return (async () => {
          const db = await new Promise((ok, ko) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
          const t0 = performance.now();
          const req = db.transaction('licenses').objectStore('licenses').getAll();
          const all = await new Promise((ok, ko) => { req.onsuccess = () => ok(req.result); req.onerror = () => ko(req.error); });
          const ms = performance.now() - t0;
          db.close();
          if (all.length !== n) throw new Error('read ' + all.length);
          return ms;
        })();"#,
    );
    let mut reads = Vec::new();
    for round in 0..3 {
        let mut pair = [0.0f64; 2];
        for side in [round % 2, 1 - round % 2] {
            if side == 0 {
                let promise = match raw_get_all.call2(
                    &JsValue::NULL,
                    &repo.name().into(),
                    &(N as f64).into(),
                ) {
                    Ok(p) => p,
                    Err(e) => panic!("raw getAll: {e:?}"),
                };
                pair[0] = match wasm_bindgen_futures::JsFuture::from(
                    promise.unchecked_into::<js_sys::Promise>(),
                )
                .await
                {
                    Ok(ms) => ms.as_f64().unwrap_or(f64::NAN),
                    Err(e) => panic!("raw getAll: {e:?}"),
                };
            } else {
                let t0 = now_ms();
                match repo.get_all::<License>().await {
                    Ok(all) => assert_eq!(all.len(), N),
                    Err(e) => panic!("get_all: {e}"),
                }
                pair[1] = now_ms() - t0;
            }
        }
        reads.push(format!(
            "raw {:.0} / repo {:.0} ms = {:.2}",
            pair[0],
            pair[1],
            pair[0] / pair[1]
        ));
    }
    console_log!("reads of the repository's database: {}", reads.join("; "));

    console_log!(
        "{N} licenses: bulk insert repo {put:.0} ms vs raw JS {raw_put:.0} ms (speed ratio {:.2}); \
         getAll repo {get:.0} ms vs raw JS {raw_get:.0} ms (speed ratio {:.2}); \
         encoding 20,000 licenses alone {encode_20k:.0} ms",
        raw_put / put,
        raw_get / get
    );
}
