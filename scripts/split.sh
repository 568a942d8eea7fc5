#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): cuts the `#[lazy]` pages out of a release built with
# the `split` feature (scripts/build.sh; src/pages/lazy.rs) into wasm chunks fetched when
# their page is first opened.
#
# Trunk 0.21 can't split: it runs wasm-bindgen on the whole wasm, whose lazy functions import
# from the placeholder module `__wasm_split_placeholder__`. This hook re-does the wasm step
# from rustc's output (linked with --emit-relocs by build.rs) the way cargo-leptos does:
#   wasm-split-cli → wasm-bindgen --keep-lld-exports on the main module → wasm-opt on the main
#   module and every chunk
# and replaces Trunk's staged `.js`/`_bg.wasm` (same names, so index.html's loader is kept;
# their integrity hashes are rewritten). Chunks and the split loader get content-hashed names
# (the service worker caches by URL) and are listed in index.html for the service worker to
# precache (sw.js reads quoted paths there); the browser doesn't fetch them before they're used.
#
# A build without lazy functions (no `split` feature: `trunk serve`, debug) is left as it is.
set -euo pipefail

staging="${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}"
source_dir="${TRUNK_SOURCE_DIR:-$PWD}"
public_url="${TRUNK_PUBLIC_URL:-/}"

js=$(find "$staging" -maxdepth 1 -name 'license-desk*.js' | head -n 1)
if [ -z "$js" ] || ! grep -q '__wasm_split_placeholder__' "$js"; then
    exit 0
fi
stem=$(basename "$js" .js)
profile_dir=release
[ "${TRUNK_PROFILE:-release}" = debug ] && profile_dir=debug
target_dir="${CARGO_TARGET_DIR:-$source_dir/target}"
input="$target_dir/wasm32-unknown-unknown/$profile_dir/license-desk.wasm"
[ -f "$input" ] || { echo "split.sh: no $input" >&2; exit 1; }
for tool in wasm-split-cli wasm-bindgen wasm-opt; do
    command -v "$tool" >/dev/null || { echo "split.sh: $tool not found (scripts/setup.sh installs it)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
split_dir="$work/split"
bindgen_dir="$work/bindgen"
mkdir -p "$split_dir" "$bindgen_dir"

wasm-split-cli "$input" "$split_dir" --out-name "$stem"
wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir "$bindgen_dir" \
    --out-name "$stem" "$split_dir/$stem.wasm"

# wasm-opt with index.html's own parameters (the features rustc emits).
params=$(grep -o 'data-wasm-opt-params="[^"]*"' "$source_dir/index.html" | sed 's/^[^"]*"//; s/"$//')
level=$(grep -o 'data-wasm-opt="[^"]*"' "$source_dir/index.html" | sed 's/^[^"]*"//; s/"$//')
optimize() {
    # shellcheck disable=SC2086 # the parameters are a list of flags
    wasm-opt "-O$level" $params "$1" -o "$1.opt" && mv "$1.opt" "$1"
}
export level params
export -f optimize
# npm's wasm-opt runs in node, about a second per chunk: on every core at once.
{
    echo "$bindgen_dir/${stem}_bg.wasm"
    for chunk in "$split_dir"/*.wasm; do
        [ "$chunk" = "$split_dir/$stem.wasm" ] || echo "$chunk"
    done
} | xargs -P "$(nproc)" -I{} bash -c 'optimize "$1"' _ {}

short_hash() { sha256sum "$1" | cut -c1-16; }
loader="$split_dir/__wasm_split.js"
chunks=()
for chunk in "$split_dir"/*.wasm; do
    [ "$chunk" = "$split_dir/$stem.wasm" ] && continue
    name=$(basename "$chunk" .wasm)
    hashed="$name-$(short_hash "$chunk").wasm"
    cp "$chunk" "$staging/$hashed"
    sed -i "s#\"\./$name\.wasm\"#\"./$hashed\"#g" "$loader"
    chunks+=("$hashed")
done
loader_name="__wasm_split-$(short_hash "$loader").js"
cp "$loader" "$staging/$loader_name"

# The glue imports the loader as a JS module; only the import's path changes (the wasm's
# import module stays "./__wasm_split.js", the key of the glue's import object).
glue="$bindgen_dir/$stem.js"
sed -i -E "s#(from ['\"])\./__wasm_split\.js(['\"])#\1./$loader_name\2#" "$glue"
grep -q "$loader_name" "$glue" || { echo "split.sh: the glue doesn't import the split loader" >&2; exit 1; }

cp "$glue" "$staging/$stem.js"
cp "$bindgen_dir/${stem}_bg.wasm" "$staging/${stem}_bg.wasm"
if [ -d "$bindgen_dir/snippets" ]; then cp -r "$bindgen_dir/snippets" "$staging/"; fi

# index.html: the new files' integrity hashes, the loader preloaded beside the glue, and the
# chunks listed for the service worker.
sri() { echo "sha384-$(openssl dgst -sha384 -binary "$1" | openssl base64 -A)"; }
html="$staging/index.html"
python3 - "$html" "$public_url" "$stem" "$(sri "$staging/$stem.js")" "$(sri "$staging/${stem}_bg.wasm")" \
    "$loader_name" "${chunks[@]}" <<'PY'
import json, re, sys
html_path, public_url, stem, js_sri, wasm_sri, loader, *chunks = sys.argv[1:]
html = open(html_path).read()
def set_integrity(html, href, sri):
    pattern = re.compile(r'(href="' + re.escape(href) + r'"[^>]*integrity=")[^"]*(")')
    html, n = pattern.subn(lambda m: m.group(1) + sri + m.group(2), html)
    if n == 0:
        sys.exit(f"split.sh: no integrity for {href} in index.html")
    return html
html = set_integrity(html, f"{public_url}{stem}.js", js_sri)
html = set_integrity(html, f"{public_url}{stem}_bg.wasm", wasm_sri)
chunk_urls = [public_url + c for c in chunks]
extra = (f'<link rel="modulepreload" href="{public_url}{loader}" crossorigin="anonymous">'
         '<script type="application/json" id="ld-lazy-chunks">'
         + json.dumps(chunk_urls) + '</script>')
html = html.replace("</head>", extra + "</head>", 1)
open(html_path, "w").write(html)
PY
echo "split.sh: $(basename "$input") → main + ${#chunks[@]} chunks, loader $loader_name"
