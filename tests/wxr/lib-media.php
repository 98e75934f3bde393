<?php
/* Small, deterministic source files for the "uploads": photos (JPEG), charts
 * (PNG) drawn with PHP GD, and minimal valid one-page PDFs written by hand. */

function gd_rng($seed) { mt_srand($seed * 7919 + 17); }

/* A photo-like picture: sky gradient, ground, sun, a few people. */
function make_photo($path, $w, $h, $seed, $ext) {
    $state = mt_rand();          // keep the caller's random sequence intact
    gd_rng($seed);
    $im = imagecreatetruecolor($w, $h);
    $top = [mt_rand(60, 140), mt_rand(120, 190), mt_rand(200, 255)];
    $bot = [mt_rand(200, 255), mt_rand(200, 240), mt_rand(170, 230)];
    $horizon = (int) ($h * (0.55 + mt_rand(0, 15) / 100));
    for ($y = 0; $y < $horizon; $y++) {
        $t = $y / max(1, $horizon - 1);
        $c = imagecolorallocate($im, (int) ($top[0] + ($bot[0] - $top[0]) * $t), (int) ($top[1] + ($bot[1] - $top[1]) * $t), (int) ($top[2] + ($bot[2] - $top[2]) * $t));
        imageline($im, 0, $y, $w - 1, $y, $c);
    }
    $g = [mt_rand(40, 110), mt_rand(110, 170), mt_rand(40, 90)];
    for ($y = $horizon; $y < $h; $y++) {
        $t = ($y - $horizon) / max(1, $h - $horizon);
        $c = imagecolorallocate($im, (int) ($g[0] * (1 - 0.4 * $t)), (int) ($g[1] * (1 - 0.4 * $t)), (int) ($g[2] * (1 - 0.4 * $t)));
        imageline($im, 0, $y, $w - 1, $y, $c);
    }
    imagefilledellipse($im, mt_rand($w / 2, $w - 20), mt_rand(10, (int) ($horizon / 2)), (int) ($w / 8), (int) ($w / 8), imagecolorallocate($im, 255, 230, 120));
    // a building
    $bx = mt_rand(0, (int) ($w / 3));
    imagefilledrectangle($im, $bx, (int) ($horizon - $h * 0.25), (int) ($bx + $w * 0.3), $horizon, imagecolorallocate($im, 235, 225, 205));
    imagefilledpolygon($im, [$bx - 5, (int) ($horizon - $h * 0.25), (int) ($bx + $w * 0.15), (int) ($horizon - $h * 0.38), (int) ($bx + $w * 0.3 + 5), (int) ($horizon - $h * 0.25)], imagecolorallocate($im, 170, 60, 40));
    $people = mt_rand(3, 7);
    for ($n = 0; $n < $people; $n++) {
        $x = (int) (($n + 0.5) * $w / $people) + mt_rand(-5, 5);
        $s = $h / 150;
        $y = $horizon + mt_rand(0, (int) (10 * $s));
        $shirt = imagecolorallocate($im, mt_rand(0, 255), mt_rand(0, 255), mt_rand(0, 255));
        imagefilledrectangle($im, (int) ($x - 6 * $s), (int) ($y - 22 * $s), (int) ($x + 6 * $s), (int) ($y + 4 * $s), $shirt);
        imagefilledellipse($im, $x, (int) ($y - 28 * $s), (int) (11 * $s), (int) (11 * $s), imagecolorallocate($im, 225, 180, 140));
    }
    if ($ext === 'png') imagepng($im, $path, 9); else imagejpeg($im, $path, 82);
    imagedestroy($im);
    mt_srand($state);
}

/* A flat-colour bar chart / poster: compresses well as PNG. */
function make_chart($path, $w, $h, $seed) {
    $state = mt_rand();
    gd_rng($seed);
    $im = imagecreate($w, $h);
    $bg = imagecolorallocate($im, 250, 250, 245);
    $ink = imagecolorallocate($im, 40, 40, 60);
    $pal = [imagecolorallocate($im, 46, 134, 193), imagecolorallocate($im, 230, 126, 34), imagecolorallocate($im, 39, 174, 96), imagecolorallocate($im, 192, 57, 43)];
    imagefilledrectangle($im, 0, 0, $w - 1, (int) ($h * 0.14), $pal[$seed % 4]);
    imagestring($im, 3, 6, 3, sprintf('KM-%02d', $seed), $bg);
    imageline($im, 20, $h - 15, $w - 10, $h - 15, $ink);
    imageline($im, 20, (int) ($h * 0.2), 20, $h - 15, $ink);
    $bars = mt_rand(4, 8);
    $bw = (int) (($w - 40) / $bars);
    for ($b = 0; $b < $bars; $b++) {
        $bh = mt_rand((int) ($h * 0.1), (int) ($h * 0.6));
        imagefilledrectangle($im, 26 + $b * $bw, $h - 16 - $bh, 20 + ($b + 1) * $bw, $h - 16, $pal[$b % 4]);
    }
    imagepng($im, $path, 9);
    imagedestroy($im);
    mt_srand($state);
}

/* A minimal valid PDF 1.4: one A4 page, Helvetica text, correct xref offsets. */
function make_pdf($path, $title, $key) {
    $esc = fn($s) => str_replace(['\\', '(', ')'], ['\\\\', '\\(', '\\)'], $s);
    $lines = [
        'Provincial Public Health Office (example)',
        'Knowledge Management Centre - ' . $key,
        'This is a small test document for the khlang WordPress import fixture.',
        'It stands in for a report that an administrator uploaded to the site.',
    ];
    $stream = "BT\n/F1 16 Tf\n72 770 Td\n(" . $esc($lines[0]) . ") Tj\n/F1 11 Tf\n";
    foreach (array_slice($lines, 1) as $l) $stream .= "0 -22 Td\n(" . $esc($l) . ") Tj\n";
    $stream .= "ET\n";
    $objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        "<< /Length " . strlen($stream) . " >>\nstream\n" . $stream . "endstream",
        "<< /Title (" . $esc('khlang fixture ' . $key) . ") /Producer (khlang make-fixture) /CreationDate (D:20240501000000+07'00') >>",
    ];
    $pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    $off = [];
    foreach ($objs as $n => $o) { $off[] = strlen($pdf); $pdf .= ($n + 1) . " 0 obj\n$o\nendobj\n"; }
    $xref = strlen($pdf);
    $pdf .= "xref\n0 " . (count($objs) + 1) . "\n0000000000 65535 f \n";
    foreach ($off as $o) $pdf .= sprintf("%010d 00000 n \n", $o);
    $pdf .= "trailer\n<< /Size " . (count($objs) + 1) . " /Root 1 0 R /Info 6 0 R >>\nstartxref\n$xref\n%%EOF\n";
    file_put_contents($path, $pdf);
}
