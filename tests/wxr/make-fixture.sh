#!/usr/bin/env bash
# Regenerates crates/testkit/fixtures/wxr/ from a REAL WordPress install
# (Debian bookworm's `wordpress` package, 6.1.x), driven from the PHP CLI:
# no web server. Run as root on a throwaway Debian bookworm machine.
# Not run by CI: it documents where the fixture came from.
#
#   bash tests/wxr/make-fixture.sh            # seeds from ../shared/seeds
#   SEEDS=/path/to/seeds OUT=/tmp/wxr bash tests/wxr/make-fixture.sh
#
# It creates/overwrites: database `khlang_wxr` (and user), the file
# /etc/wordpress/config-km.example.go.th.php and /var/lib/khlang-wxr/.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$REPO/crates/testkit/fixtures/wxr}
SEEDS=${SEEDS:-$REPO/../shared/seeds}
CONTENT=/var/lib/khlang-wxr/wp-content

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
  wordpress wordpress-l10n php-cli php-mysql php-gd php-xml php-mbstring mariadb-server \
  libxml2-utils zip unzip >/dev/null

if ! mariadb -e 'SELECT 1' >/dev/null 2>&1; then
  service mariadb start || (mysqld_safe >/dev/null 2>&1 &)
  for _ in $(seq 30); do mariadb -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
fi
mariadb <<'SQL'
DROP DATABASE IF EXISTS khlang_wxr;
CREATE DATABASE khlang_wxr CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
CREATE USER IF NOT EXISTS 'khlang_wxr'@'localhost' IDENTIFIED BY 'khlang_wxr';
GRANT ALL PRIVILEGES ON khlang_wxr.* TO 'khlang_wxr'@'localhost';
FLUSH PRIVILEGES;
SQL

install -m 0644 "$HERE/config-km.example.go.th.php" /etc/wordpress/config-km.example.go.th.php
rm -rf /var/lib/khlang-wxr /tmp/khlang-wxr-src
mkdir -p "$CONTENT/uploads"
# Thai language pack (th.mo from wordpress-l10n), so WPLANG=th as on a Thai site
ln -s /usr/share/wordpress/wp-content/languages "$CONTENT/languages"

WORK=$(mktemp -d)
PHP="php -d display_errors=stderr -d error_reporting=E_ALL -d sendmail_path=/bin/true"  # wp_install() mails the admin
$PHP "$HERE/install.php"
KHLANG_SEEDS="$SEEDS" $PHP "$HERE/populate.php" > "$WORK/manifest.json"
$PHP "$HERE/export.php" > "$WORK/export.xml"
xmllint --noout "$WORK/export.xml"

mkdir -p "$OUT"
rm -rf "$OUT/export.xml" "$OUT/uploads" "$OUT/uploads.zip"
cp "$WORK/export.xml" "$OUT/export.xml"
cp -r "$CONTENT/uploads" "$OUT/uploads"
(cd "$CONTENT" && zip -q -r "$OUT/uploads.zip" uploads)

php "$HERE/count.php" "$OUT/export.xml" "$OUT/uploads"
unzip -l "$OUT/uploads.zip" | tail -n 1
echo "manifest: $WORK/manifest.json"
