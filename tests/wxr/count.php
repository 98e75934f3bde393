<?php
/* Step 4: summarise a WXR file: php count.php export.xml [uploads-dir] */
$file = $argv[1];
$uploads = $argv[2] ?? null;
$x = simplexml_load_file($file, 'SimpleXMLElement', LIBXML_NOCDATA);
$ns = $x->getNamespaces(true);
$wp = $ns['wp'];
$ch = $x->channel;
$cw = $ch->children($wp);
printf("wxr_version %s, language %s, base_site_url %s\n", $cw->wxr_version, $ch->language, $cw->base_site_url);
printf("authors %d, categories %d, tags %d, terms %d\n", count($cw->author), count($cw->category), count($cw->tag), count($cw->term));
$by = [];
$comments = 0; $thumbs = 0; $missing = [];
foreach ($ch->item as $it) {
    $w = $it->children($wp);
    $k = "$w->post_type/$w->status";
    $by[$k] = ($by[$k] ?? 0) + 1;
    $comments += count($w->comment);
    foreach ($w->postmeta as $m) if ((string) $m->meta_key === '_thumbnail_id') $thumbs++;
    if ((string) $w->post_type === 'attachment' && $uploads) {
        $rel = preg_replace('#^.*/wp-content/uploads/#', '', (string) $w->attachment_url);
        if (!is_file("$uploads/$rel")) $missing[] = "$w->post_id $rel";
    }
}
ksort($by);
printf("items %d\n", count($ch->item));
foreach ($by as $k => $n) printf("  %-22s %3d\n", $k, $n);
printf("comments %d, posts with _thumbnail_id %d\n", $comments, $thumbs);
if ($uploads) printf("attachments whose file is absent from %s: %s\n", $uploads, $missing ? implode(', ', $missing) : 'none');
