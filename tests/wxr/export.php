<?php
/* Step 3: WordPress's own exporter (Tools > Export > "All content"),
 * written to stdout: php export.php > export.xml */
require __DIR__ . '/cli-env.php';
require KHLANG_WP_ROOT . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/export.php';
wp_set_current_user(1);
ob_start();
export_wp(['content' => 'all']);   // header() calls are no-ops under php-cli
$xml = ob_get_clean();
fwrite(STDOUT, $xml);
