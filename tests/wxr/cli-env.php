<?php
/* Pretend to be a request for km.example.go.th so Debian's wp-config.php
 * picks /etc/wordpress/config-km.example.go.th.php; no web server is used. */
$_SERVER['HTTP_HOST']       = 'km.example.go.th';
$_SERVER['SERVER_NAME']     = 'km.example.go.th';
$_SERVER['SERVER_PORT']     = '80';
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
date_default_timezone_set('UTC');         // WordPress expects UTC as PHP's zone
define('KHLANG_WP_ROOT', '/usr/share/wordpress/');
