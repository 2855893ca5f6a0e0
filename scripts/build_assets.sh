#!/usr/bin/env bash
# Install the pinned front-end packages (package-lock.json) and copy the files the app
# serves itself into src/msoic/static/vendor/ (gitignored). No CDN is used anywhere.
#
# GOV.UK Frontend's @font-face rules are removed: the product uses a system font stack,
# so the GOV.UK font files are neither copied nor requested. Its absolute /assets/ URLs
# are made relative, so they resolve under /static/vendor/assets/. Source-map comments
# are removed because the maps are not shipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NM="$ROOT/node_modules"
OUT="$ROOT/src/msoic/static/vendor"

cd "$ROOT"
command -v npm >/dev/null || {
  echo "build_assets: npm is not installed; the front-end packages (GOV.UK Frontend, Vega) are installed with it (Debian: apt-get install npm)" >&2
  exit 1
}
npm ci --no-audit --no-fund --loglevel=error >/dev/null

need() {
  if [ ! -f "$1" ]; then
    echo "build_assets: expected file is missing: $1" >&2
    exit 1
  fi
}

GOVUK="$NM/govuk-frontend/dist/govuk"
declare -A FILES=(
  [govuk-frontend.min.css]="$GOVUK/govuk-frontend.min.css"
  [govuk-frontend.min.js]="$GOVUK/govuk-frontend.min.js"
  [htmx.min.js]="$NM/htmx.org/dist/htmx.min.js"
  [vega.min.js]="$NM/vega/build/vega.min.js"
  [vega-lite.min.js]="$NM/vega-lite/build/vega-lite.min.js"
  [vega-embed.min.js]="$NM/vega-embed/build/vega-embed.min.js"
  [axe.min.js]="$NM/axe-core/axe.min.js"
)
for src in "${FILES[@]}"; do need "$src"; done
need "$GOVUK/assets/images/govuk-crest.svg"

tmp="$(mktemp -d "$ROOT/src/msoic/static/.vendor.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

for name in "${!FILES[@]}"; do
  # Drop source-map references (the maps are not shipped).
  sed -E -e 's@/\*# sourceMappingURL=[^*]*\*/@@g' -e 's@//# sourceMappingURL=.*$@@' \
    "${FILES[$name]}" >"$tmp/$name"
done

# GOV.UK Frontend stylesheet: no web font, relative asset URLs.
sed -E -i -e 's/@font-face\{[^}]*\}//g' -e 's@url\(/assets/@url(assets/@g' "$tmp/govuk-frontend.min.css"
if grep -q -e '@font-face' -e 'url(/assets' "$tmp/govuk-frontend.min.css"; then
  echo "build_assets: could not rewrite govuk-frontend.min.css (layout of the package changed?)" >&2
  exit 1
fi

# GOV.UK Frontend's assets folder (crest, favicons, icons, manifests) without the fonts.
cp -R "$GOVUK/assets" "$tmp/assets"
rm -rf "$tmp/assets/fonts"

# Licences and versions of what is shipped.
mkdir -p "$tmp/licenses"
: >"$tmp/VERSIONS.txt"
for pkg in govuk-frontend htmx.org vega vega-lite vega-embed axe-core; do
  for f in "$NM/$pkg"/LICENSE*; do
    [ -f "$f" ] && cp "$f" "$tmp/licenses/$pkg.$(basename "$f")"
  done
  node -p "const p = require('$NM/$pkg/package.json'); p.name + ' ' + p.version + ' (' + p.license + ')'" \
    >>"$tmp/VERSIONS.txt"
done

rm -rf "$OUT"
mv "$tmp" "$OUT"
trap - EXIT
chmod -R a+rX "$OUT"
echo "build_assets: vendor files in ${OUT#"$ROOT"/} ($(tr '\n' ' ' <"$OUT/VERSIONS.txt"))"
