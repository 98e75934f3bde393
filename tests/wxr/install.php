<?php
/* Step 1: wp_install() from the PHP CLI (what the web installer does). */
require __DIR__ . '/cli-env.php';
define('WP_INSTALLING', true);
require KHLANG_WP_ROOT . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

if (is_blog_installed()) {
    fwrite(STDERR, "already installed; drop the database first\n");
    exit(1);
}
$r = wp_install(
    'สำนักงานสาธารณสุขจังหวัดตัวอย่าง', // blog title
    'kmadmin',                           // admin login
    'kmadmin@km.example.go.th',
    true,                                // public
    '',
    'khlang-fixture-only-Pa55',          // throwaway password
    'th'                                 // WPLANG (no language pack installed)
);
echo "installed: admin user {$r['user_id']}, url " . get_option('siteurl') . "\n";
