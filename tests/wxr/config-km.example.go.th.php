<?php
/*
 * Host config for Debian's /usr/share/wordpress/wp-config.php, installed by
 * make-fixture.sh as /etc/wordpress/config-km.example.go.th.php.
 * Throwaway credentials for a local, fixture-only WordPress.
 */
define('DB_NAME', 'khlang_wxr');
define('DB_USER', 'khlang_wxr');
define('DB_PASSWORD', 'khlang_wxr');
define('DB_HOST', 'localhost');
define('DB_CHARSET', 'utf8mb4');
define('WP_HOME', 'http://km.example.go.th');
define('WP_SITEURL', 'http://km.example.go.th');
define('WP_CONTENT_DIR', '/var/lib/khlang-wxr/wp-content');
define('WP_CONTENT_URL', 'http://km.example.go.th/wp-content');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
