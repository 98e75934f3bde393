<?php
/*
 * Step 2: fill the freshly installed site through WordPress's own PHP API.
 *
 *   KHLANG_SEEDS=/path/to/shared/seeds php populate.php
 *
 * Deterministic: the same seed texts and the same WordPress give the same
 * content (mt_srand). Thai passages are cut from the seed documents.
 * Prints a manifest (facts used by the README) on stdout.
 */
require __DIR__ . '/cli-env.php';
require KHLANG_WP_ROOT . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
require_once ABSPATH . 'wp-admin/includes/post.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
require_once __DIR__ . '/lib-media.php';

mt_srand(25670501);
$BKK = new DateTimeZone('Asia/Bangkok');
$UTC = new DateTimeZone('UTC');
$manifest = [];
function note($k, $v) { global $manifest; $manifest[$k] = $v; }
function rnd_pick(array $a) { return $a[mt_rand(0, count($a) - 1)]; }
function th_digits($s) { return strtr((string) $s, ['0'=>'๐','1'=>'๑','2'=>'๒','3'=>'๓','4'=>'๔','5'=>'๕','6'=>'๖','7'=>'๗','8'=>'๘','9'=>'๙']); }
function esc_text($s) { return htmlspecialchars($s, ENT_NOQUOTES, 'UTF-8'); }

/* ------------------------------------------------------------------ */
/* Site options (what an admin sets in Settings)                      */
/* ------------------------------------------------------------------ */
update_option('blogdescription', 'ศูนย์จัดการความรู้ด้านสุขภาพภาคประชาชน');
update_option('timezone_string', 'Asia/Bangkok');
update_option('gmt_offset', '');
update_option('date_format', 'j F Y');
update_option('time_format', 'H:i');
update_option('start_of_week', 0);
global $wp_rewrite;   // Settings > Permalinks ("Day and name"-like: year/month/name)
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
update_option('uploads_use_yearmonth_folders', 1);

/* Remove install defaults: "Hello world!" (+ its comment), "Sample Page", draft "Privacy Policy". */
foreach (get_posts(['post_type' => ['post', 'page'], 'post_status' => 'any', 'numberposts' => -1]) as $p) {
    wp_delete_post($p->ID, true);
}
update_option('wp_page_for_privacy_policy', 0);

/* ------------------------------------------------------------------ */
/* Users                                                              */
/* ------------------------------------------------------------------ */
wp_update_user(['ID' => 1, 'display_name' => 'ผู้ดูแลเว็บไซต์', 'first_name' => 'ผู้ดูแล', 'last_name' => 'เว็บไซต์', 'nickname' => 'kmadmin']);
$authors = [];
foreach ([
    ['somsri',  'สมศรี',     'ใจดี',       'author'],
    ['wichai',  'วิชัย',      'รักษ์ชุมชน',  'editor'],
    ['kannika', 'กรรณิการ์', 'สุขสวัสดิ์',  'author'],
] as [$login, $first, $last, $role]) {
    $id = wp_insert_user([
        'user_login'   => $login,
        'user_pass'    => wp_generate_password(20),
        'user_email'   => "$login@km.example.go.th",
        'first_name'   => $first,
        'last_name'    => $last,
        'nickname'     => $first,
        'display_name' => "$first $last",
        'role'         => $role,
    ]);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
    $authors[] = $id;
}

/* ------------------------------------------------------------------ */
/* Categories (the default "Uncategorized" is renamed, as admins do)  */
/* ------------------------------------------------------------------ */
wp_update_term(1, 'category', ['name' => 'ข่าวประชาสัมพันธ์', 'slug' => 'news', 'description' => 'ข่าวสารและกิจกรรมของสำนักงาน']);
$cat = ['news' => 1];
$r = wp_insert_term('การดูแลผู้สูงอายุ', 'category', ['description' => 'การดูแลผู้สูงอายุและผู้ป่วยติดเตียงในชุมชน']);
$cat['elderly'] = $r['term_id'];
$r = wp_insert_term('โรคไม่ติดต่อ', 'category', ['slug' => 'ncd', 'description' => 'เบาหวาน ความดันโลหิตสูง และโรคไม่ติดต่อเรื้อรัง']);
$cat['ncd'] = $r['term_id'];
$r = wp_insert_term('การจัดการความรู้', 'category');
$cat['km'] = $r['term_id'];
$r = wp_insert_term('นวัตกรรมสุขภาพ', 'category', ['slug' => 'innovation']);
$cat['innovation'] = $r['term_id'];
$r = wp_insert_term('นวัตกรรม อสม.', 'category', ['parent' => $cat['innovation'], 'description' => 'ผลงานนวัตกรรมของอาสาสมัครสาธารณสุขประจำหมู่บ้าน']);
$cat['osm'] = $r['term_id'];

/* ------------------------------------------------------------------ */
/* Tags                                                               */
/* ------------------------------------------------------------------ */
$tagNames = ['อสม.', 'เบาหวาน', 'ความดันโลหิตสูง', 'ผู้สูงอายุติดเตียง', 'ถอดบทเรียน', 'KM',
    'ชุมชนเข้มแข็ง', 'สุขภาพจิต', 'โภชนาการ', 'ออกกำลังกาย', 'การแพทย์แผนไทย', 'สมุนไพร',
    'R2R', 'ชุมชนนักปฏิบัติ (CoP)', 'ตำบลจัดการสุขภาพ'];
$tags = [];
foreach ($tagNames as $i => $t) {
    $args = [];
    if ($t === 'ชุมชนนักปฏิบัติ (CoP)') $args['slug'] = 'cop';
    if ($t === 'เบาหวาน') $args['description'] = 'บทความเกี่ยวกับโรคเบาหวาน';
    $r = wp_insert_term($t, 'post_tag', $args);
    $tags[] = $r['term_id'];
}

/* ------------------------------------------------------------------ */
/* Seed passages                                                      */
/* ------------------------------------------------------------------ */
$seedDir = getenv('KHLANG_SEEDS') ?: '/work/shared/seeds';
$files = glob(rtrim($seedDir, '/') . '/*.txt');
sort($files);
if (!$files) { fwrite(STDERR, "no seed texts in $seedDir\n"); exit(1); }
$paras = [];
$phrases = [];
foreach ($files as $f) {
    foreach (file($f) as $line) {
        // some seed lines carry stray HTML (<p>, <ul style=...>) from their source: keep the text only
        $s = trim(str_replace("\t", ' ', html_entity_decode(strip_tags($line), ENT_QUOTES | ENT_HTML5, 'UTF-8')));
        if ($s === '' || $s[0] === '|' || $s[0] === '#') continue;
        $s = preg_replace('/^[-*]\s+/u', '', $s);
        $s = preg_replace('/\s{2,}/u', ' ', $s);
        $thai = preg_match_all('/[\x{0E00}-\x{0E7F}]/u', $s);
        if ($thai < 60) continue;
        if (mb_strlen($s) > 900) {              // keep passages readable
            $cut = mb_substr($s, 0, 900);
            $s = mb_substr($cut, 0, mb_strrpos($cut, ' '));
        }
        $paras[] = $s;
        foreach (preg_split('/\s+/u', $s) as $chunk) {
            $len = mb_strlen($chunk);
            if ($len >= 25 && $len <= 110 && preg_match_all('/[\x{0E00}-\x{0E7F}]/u', $chunk) > 0.8 * $len) {
                $phrases[] = $chunk;
            }
        }
    }
}
$paras = array_values(array_unique($paras));
$phrases = array_values(array_unique($phrases));
// deterministic shuffle
for ($i = count($paras) - 1; $i > 0; $i--) { $j = mt_rand(0, $i); [$paras[$i], $paras[$j]] = [$paras[$j], $paras[$i]]; }
$pi = 0;
function next_para() { global $paras, $pi; return $paras[$pi++ % count($paras)]; }
note('seed_passages', count($paras));
note('seed_phrases', count($phrases));

/* ------------------------------------------------------------------ */
/* The 100-post plan                                                  */
/* ------------------------------------------------------------------ */
$places = ['บ้านหนองบัว', 'ตำบลโนนสะอาด', 'บ้านโคกกลาง', 'ตำบลหนองแวง', 'บ้านดอนยาง', 'ตำบลท่าข้าม',
    'บ้านนาคำ', 'ตำบลห้วยทราย', 'บ้านสวนหม่อน', 'อำเภอเมือง', 'ตำบลบ้านเป็ด', 'บ้านหนองไผ่ล้อม'];
$monthsTh = [1 => 'มกราคม', 'กุมภาพันธ์', 'มีนาคม', 'เมษายน', 'พฤษภาคม', 'มิถุนายน', 'กรกฎาคม', 'สิงหาคม', 'กันยายน', 'ตุลาคม', 'พฤศจิกายน', 'ธันวาคม'];
// [title pattern, ascii slug stem, primary category, short topic for the intro sentence]
$patterns = [
    ['ถอดบทเรียนการดูแลผู้สูงอายุติดเตียงของ อสม.{p}', 'bedridden-care', 'elderly', 'การดูแลผู้สูงอายุติดเตียง'],
    ['{p} ขับเคลื่อนการคัดกรองเบาหวานและความดันโลหิตสูง ปี {y}', 'ncd-screening', 'ncd', 'คัดกรองเบาหวานและความดันโลหิตสูง'],
    ['สรุปผลการประชุมชุมชนนักปฏิบัติ (CoP) ครั้งที่ {n}', 'cop-meeting', 'km', 'ประชุมชุมชนนักปฏิบัติ'],
    ['นวัตกรรม อสม.{p}: เครื่องมือช่วยเตือนการกินยา', 'medication-reminder', 'osm', 'ประกวดนวัตกรรม อสม.'],
    ['การจัดการความรู้ในหน่วยงาน: บทเรียนจาก{p}', 'km-lessons', 'km', 'แลกเปลี่ยนเรียนรู้การจัดการความรู้'],
    ['กิจกรรมรณรงค์ลดหวาน มัน เค็ม ใน{p}', 'less-sugar-salt', 'ncd', 'รณรงค์ลดหวาน มัน เค็ม'],
    ['เยี่ยมบ้านผู้ป่วยโรคไม่ติดต่อเรื้อรัง {p}', 'home-visit-ncd', 'ncd', 'เยี่ยมบ้านผู้ป่วยโรคเรื้อรัง'],
    ['อบรมเชิงปฏิบัติการพัฒนาศักยภาพ อสม. รุ่นที่ {n} {p}', 'osm-training', 'news', 'อบรมพัฒนาศักยภาพ อสม.'],
    ['ตำบลจัดการสุขภาพดีเด่น {p} ปี {y}', 'health-district-award', 'news', 'ประเมินตำบลจัดการสุขภาพ'],
    ['เรื่องเล่าเร้าพลัง: อสม.{p} กับการดูแลสุขภาพจิตผู้สูงอายุ', 'storytelling-mental-health', 'elderly', 'เล่าเรื่องการดูแลสุขภาพจิต'],
    ['แนวทางการใช้สมุนไพรในครัวเรือน {p}', 'household-herbs', 'innovation', 'อบรมการใช้สมุนไพรในครัวเรือน'],
    ['รายงานผลการดำเนินงานศูนย์เรียนรู้สุขภาพชุมชน{p}', 'learning-center-report', 'km', 'สรุปผลศูนย์เรียนรู้สุขภาพชุมชน'],
    ['ชมรมผู้สูงอายุ{p} ออกกำลังกายด้วยไม้พลอง', 'elderly-exercise', 'elderly', 'ออกกำลังกายด้วยไม้พลอง'],
    ['การพัฒนาระบบฐานข้อมูลสุขภาพชุมชน {p}', 'community-health-data', 'innovation', 'พัฒนาฐานข้อมูลสุขภาพชุมชน'],
    ['เวทีประชาคมหมู่บ้านเพื่อจัดทำแผนสุขภาพ {p} ปี {y}', 'village-health-plan', 'news', 'ประชาคมจัดทำแผนสุขภาพ'],
    ['KM Day ครั้งที่ {n}: แลกเปลี่ยนเรียนรู้ข้ามหน่วยงาน {p}', 'km-day', 'km', 'KM Day แลกเปลี่ยนเรียนรู้'],
    ['R2R งานประจำสู่งานวิจัย: กรณีศึกษา{p}', 'r2r-case', 'km', 'นำเสนอผลงาน R2R'],
    ['โรงเรียนผู้สูงอายุ{p} เปิดภาคเรียนใหม่ ปี {y}', 'elderly-school', 'elderly', 'เปิดโรงเรียนผู้สูงอายุ'],
    ['การป้องกันการหกล้มในผู้สูงอายุ {p}', 'fall-prevention', 'elderly', 'ป้องกันการหกล้มในผู้สูงอายุ'],
    ['ธนาคารอาหารชุมชนกับภาวะโภชนาการเด็กปฐมวัย {p}', 'food-bank-nutrition', 'news', 'ติดตามภาวะโภชนาการเด็กปฐมวัย'],
    ['สรุปบทเรียนการรับมือโรคไข้เลือดออก {p} ปี {y}', 'dengue-lessons', 'news', 'รณรงค์ป้องกันไข้เลือดออก'],
    ['อสม.หมอประจำบ้าน {p} กับการดูแลผู้ป่วยระยะท้าย', 'palliative-care', 'elderly', 'ดูแลผู้ป่วยระยะท้ายที่บ้าน'],
    ['การขับเคลื่อน KM 3.0 สู่ชุมชนเข้มแข็ง: มุมมองจาก{p}', 'km3-community', 'km', 'ขับเคลื่อน KM 3.0'],
    ['คู่มือการทำแผนที่ความรู้ (Knowledge Map) สำหรับ{p}', 'knowledge-map', 'innovation', 'จัดทำแผนที่ความรู้'],
    ['ประชุมคณะทำงานจัดการความรู้ ประจำเดือน{m} {y}', 'km-monthly-meeting', 'km', 'ประชุมคณะทำงานจัดการความรู้'],
];
$headings = ['ความเป็นมา', 'วัตถุประสงค์', 'ผลการดำเนินงาน', 'บทเรียนที่ได้รับ', 'ปัจจัยแห่งความสำเร็จ',
    'ปัญหาและอุปสรรค', 'ข้อเสนอแนะ', 'ขั้นตอนการดำเนินงาน', 'กลุ่มเป้าหมาย', 'แผนการดำเนินงานต่อไป'];

$N = 100;
$DRAFT = [29, 54, 83, 91, 96, 99];
$PRIVATE = [72];
$t0 = (new DateTime('2023-01-09 00:00:00', $BKK))->getTimestamp();
$t1 = (new DateTime('2025-12-18 00:00:00', $BKK))->getTimestamp();
$plan = [];
$titlesSeen = [];
for ($i = 0; $i < $N; $i++) {
    $pat = $patterns[$i % 25];
    $place = $places[(($i % 25) * 5 + intdiv($i, 25) * 7) % count($places)];
    $day = $t0 + intdiv(($t1 - $t0) * $i, $N - 1) + mt_rand(-2, 2) * 86400;
    $day = max($t0, min($t1, $day));
    $local = (new DateTime('@' . $day))->setTimezone($BKK);
    $local->setTime(mt_rand(8, 19), mt_rand(0, 59), mt_rand(0, 59));
    $yBE = (int) $local->format('Y') + 543;
    $title = strtr($pat[0], [
        '{p}' => $place,
        '{y}' => (string) $yBE,
        '{n}' => th_digits(intdiv($i, 25) + 1),
        '{m}' => $monthsTh[(int) $local->format('n')],
    ]);
    if (isset($titlesSeen[$title])) $title .= ' (ตอนที่ ๒)';
    $titlesSeen[$title] = true;
    $status = in_array($i, $DRAFT, true) ? 'draft' : (in_array($i, $PRIVATE, true) ? 'private' : 'publish');
    $plan[$i] = [
        'i' => $i, 'title' => $title, 'place' => $place, 'pat' => $pat, 'local' => $local, 'yBE' => $yBE,
        'status' => $status, 'classic' => ($i % 5 === 3),
        'author' => $authors[($i * 7 + intdiv($i, 10)) % 3],
    ];
}

/* ------------------------------------------------------------------ */
/* Attachments: uploaded first (as in the editor), attached afterwards */
/* ------------------------------------------------------------------ */
// key => [upload name, kind, w, h, owner post index | 'page:N' | null, title, alt, caption]
$attPlan = [
    'A01' => ['IMG_20230214_101522.jpg', 'photo', 200, 150, 3, 'IMG_20230214_101522', 'อสม. ลงพื้นที่เยี่ยมบ้าน', ''],
    'A02' => ['อบรม-อสม-2566.jpg', 'photo', 200, 150, 6, 'อบรม อสม. 2566', 'บรรยากาศการอบรม อสม.', 'การอบรมพัฒนาศักยภาพ อสม. ปี ๒๕๖๖'],
    'A03' => ['DSC_0142.JPG', 'photo', 200, 150, 10, 'DSC_0142', '', ''],
    'A04' => ['kickoff.jpg', 'photo', 200, 150, 15, 'kickoff', 'พิธีเปิดโครงการ', ''],
    'A05' => ['kickoff.jpg', 'photo', 200, 150, 15, 'kickoff', 'ผู้เข้าร่วมพิธีเปิดโครงการ', ''],
    'A06' => ['home-visit-01.jpg', 'photo', 200, 150, 18, 'home-visit-01', 'เยี่ยมบ้านผู้ป่วย', ''],
    'A07' => ['home-visit-02.jpg', 'photo', 200, 150, 18, 'home-visit-02', 'วัดความดันที่บ้าน', ''],
    'A08' => ['ภาพ กิจกรรม ไม้พลอง.jpg', 'photo', 200, 150, 22, 'ภาพ กิจกรรม ไม้พลอง', 'ผู้สูงอายุออกกำลังกายด้วยไม้พลอง', 'กิจกรรมไม้พลองยามเช้า'],
    'A09' => ['ncd-chart-2566.png', 'chart', 200, 150, 26, 'ผลการคัดกรอง NCD ปี 2566', 'กราฟผลการคัดกรองโรคไม่ติดต่อ', ''],
    'A10' => ['infographic-salt.png', 'chart', 200, 150, 30, 'infographic-salt', 'อินโฟกราฟิกลดเค็ม', ''],
    'A11' => ['knowledge-map.png', 'chart', 320, 240, 23, 'แผนที่ความรู้', 'แผนที่ความรู้ของหน่วยงาน', 'ตัวอย่างแผนที่ความรู้ (Knowledge Map)'],
    'A12' => ['elderly-school.jpg', 'photo', 400, 300, 42, 'โรงเรียนผู้สูงอายุ', 'นักเรียนโรงเรียนผู้สูงอายุ', ''],
    'A13' => ['km-report-2566.pdf', 'pdf', 0, 0, 35, 'รายงานการจัดการความรู้ ปี 2566', '', ''],
    'A14' => ['herb-garden.jpg', 'photo', 200, 150, 47, 'herb-garden', 'แปลงสมุนไพรชุมชน', ''],
    'A15' => ['missing-photo-2024.jpg', 'photo', 200, 150, 46, 'missing-photo-2024', 'ภาพกิจกรรมที่ไฟล์หายไป', 'ภาพนี้ถูกลบออกจากโฟลเดอร์ uploads'],
    'A16' => ['cop-meeting.jpg', 'photo', 200, 150, 45, 'cop-meeting', 'ประชุมชุมชนนักปฏิบัติ', ''],
    'A17' => ['km-day-3.jpg', 'photo', 400, 300, 52, 'KM Day ครั้งที่ 3', 'บรรยากาศงาน KM Day', 'งาน KM Day ครั้งที่ ๓'],
    'A18' => ['field-survey.jpg', 'photo', 400, 300, 58, 'field-survey', 'สำรวจข้อมูลภาคสนาม', ''],
    'A19' => ['poster-fall-prevention.png', 'chart', 200, 150, 64, 'โปสเตอร์ป้องกันการหกล้ม', 'โปสเตอร์ป้องกันการหกล้มในผู้สูงอายุ', ''],
    'A20' => ['flowchart-referral.png', 'chart', 200, 150, 70, 'flowchart-referral', 'ผังการส่งต่อผู้ป่วย', ''],
    'A21' => ['manual-osm-2567.pdf', 'pdf', 0, 0, 'page:2', 'คู่มือ อสม. 2567', '', ''],
    'A22' => ['meeting-minutes-2568.pdf', 'pdf', 0, 0, 80, 'รายงานการประชุม 2568', '', ''],
    'A23' => ['cop-summary-2567.pdf', 'pdf', 0, 0, 66, 'สรุปผล CoP 2567', '', ''],
    'A24' => ['logo-km.png', 'chart', 200, 150, null, 'logo-km', 'โลโก้ศูนย์จัดการความรู้', ''],
    'A25' => ['dengue-campaign.jpg', 'photo', 200, 150, 90, 'dengue-campaign', 'รณรงค์กำจัดลูกน้ำยุงลาย', ''],
];
$MISSING = ['A15', 'A23'];
$FEATURED = ['A01' => 3, 'A02' => 6, 'A04' => 15, 'A08' => 22, 'A10' => 30, 'A12' => 42, 'A14' => 47, 'A15' => 46, 'A18' => 58, 'A25' => 90];

// pages are created before posts (site set-up in January 2023)
$pageDate = function ($day, $h) use ($BKK) { return new DateTime(sprintf('2023-01-%02d %02d:%02d:00', $day, $h, 10 + $day), $BKK); };

$tmp = sys_get_temp_dir() . '/khlang-wxr-src';
@mkdir($tmp);
$att = [];
$k = 0;
foreach ($attPlan as $key => [$name, $kind, $w, $h, $owner, $title, $alt, $caption]) {
    $k++;
    if ($owner === null) { $when = new DateTime('2023-01-06 09:30:00', $BKK); $uploader = 1; }
    elseif (is_string($owner)) { $when = $pageDate(5, 10); $when->modify('-20 minutes'); $uploader = 1; }
    else { $when = clone $plan[$owner]['local']; $when->modify('-' . (15 + $k) . ' minutes'); $uploader = $plan[$owner]['author']; }
    $src = "$tmp/$key-" . preg_replace('/[^A-Za-z0-9.]/', '_', $name);
    if ($kind === 'photo') make_photo($src, $w, $h, $k, strtolower(pathinfo($name, PATHINFO_EXTENSION)));
    elseif ($kind === 'chart') make_chart($src, $w, $h, $k);
    else make_pdf($src, $title, $key);
    wp_set_current_user($uploader);
    $mysqlLocal = $when->format('Y-m-d H:i:s');
    $upload = ['name' => $name, 'tmp_name' => $src, 'size' => filesize($src), 'error' => 0];
    $up = wp_handle_sideload($upload, ['test_form' => false], $mysqlLocal);
    if (isset($up['error'])) { fwrite(STDERR, "$key: {$up['error']}\n"); exit(1); }
    $id = wp_insert_attachment([
        'post_mime_type' => $up['type'],
        'guid'           => $up['url'],
        'post_title'     => $title,
        'post_content'   => '',
        'post_excerpt'   => $caption,
        'post_author'    => $uploader,
        'post_date'      => $mysqlLocal,
        'post_date_gmt'  => (clone $when)->setTimezone($UTC)->format('Y-m-d H:i:s'),
    ], $up['file'], 0, true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
    wp_update_attachment_metadata($id, wp_generate_attachment_metadata($id, $up['file']));
    if ($alt !== '') update_post_meta($id, '_wp_attachment_image_alt', $alt);
    $meta = wp_get_attachment_metadata($id);
    $att[$key] = ['id' => $id, 'url' => $up['url'], 'file' => $up['file'], 'owner' => $owner, 'alt' => $alt,
        'caption' => $caption, 'title' => $title, 'meta' => $meta, 'name' => $name];
}

function img_src($key, $size = 'full') {
    global $att;
    if ($size === 'full') return $att[$key]['url'];
    $s = $att[$key]['meta']['sizes'][$size];
    return dirname($att[$key]['url']) . '/' . $s['file'];
}
function block_image($key, $size = 'full') {
    global $att;
    $a = $att[$key];
    $cap = $a['caption'] !== '' ? '<figcaption class="wp-element-caption">' . esc_text($a['caption']) . '</figcaption>' : '';
    return "<!-- wp:image {\"id\":{$a['id']},\"sizeSlug\":\"$size\",\"linkDestination\":\"none\"} -->\n"
        . "<figure class=\"wp-block-image size-$size\"><img src=\"" . img_src($key, $size) . "\" alt=\"" . esc_attr($a['alt']) . "\" class=\"wp-image-{$a['id']}\"/>$cap</figure>\n"
        . "<!-- /wp:image -->";
}
function block_file($key, $label) {
    global $att;
    $a = $att[$key];
    $anchor = 'wp-block-file--media-' . wp_generate_uuid4();
    return "<!-- wp:file {\"id\":{$a['id']},\"href\":\"{$a['url']}\"} -->\n"
        . "<div class=\"wp-block-file\"><a id=\"$anchor\" href=\"{$a['url']}\">" . esc_text($label) . "</a><a href=\"{$a['url']}\" class=\"wp-block-file__button wp-element-button\" download aria-describedby=\"$anchor\">ดาวน์โหลด</a></div>\n"
        . "<!-- /wp:file -->";
}
function classic_img($key, $size = 'full', $align = 'alignnone') {
    global $att;
    $a = $att[$key];
    [$w, $h] = $size === 'full' ? [$a['meta']['width'], $a['meta']['height']] : [$a['meta']['sizes'][$size]['width'], $a['meta']['sizes'][$size]['height']];
    return "<img class=\"$align size-$size wp-image-{$a['id']}\" src=\"" . img_src($key, $size) . "\" alt=\"" . esc_attr($a['alt']) . "\" width=\"$w\" height=\"$h\" />";
}

/* ------------------------------------------------------------------ */
/* Pages                                                              */
/* ------------------------------------------------------------------ */
wp_set_current_user(1);
$pageIds = [];
$mk_page = function ($n, $title, $slug, $content, $parent = 0, $order = 0) use (&$pageIds, $pageDate, $UTC) {
    $d = $pageDate($n + 2, 9 + $n);
    $id = wp_insert_post([
        'post_type' => 'page', 'post_status' => 'publish', 'post_author' => 1,
        'post_title' => $title, 'post_name' => $slug, 'post_content' => $content,
        'post_parent' => $parent, 'menu_order' => $order, 'comment_status' => 'closed', 'ping_status' => 'closed',
        'post_date' => $d->format('Y-m-d H:i:s'), 'post_date_gmt' => (clone $d)->setTimezone($UTC)->format('Y-m-d H:i:s'),
    ], true);
    if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message() . "\n"); exit(1); }
    $pageIds[$n] = $id;
    return $id;
};
$p = fn($s) => "<!-- wp:paragraph -->\n<p>$s</p>\n<!-- /wp:paragraph -->";
$hd = fn($s, $lvl = 2) => ($lvl === 2 ? "<!-- wp:heading -->\n<h2>" : "<!-- wp:heading {\"level\":$lvl} -->\n<h$lvl>") . $s . "</h$lvl>\n<!-- /wp:heading -->";
$ul = function (array $items) {
    $li = array_map(fn($x) => "<!-- wp:list-item -->\n<li>$x</li>\n<!-- /wp:list-item -->", $items);
    return "<!-- wp:list -->\n<ul>" . implode("\n\n", $li) . "</ul>\n<!-- /wp:list -->";
};
$mk_page(0, 'เกี่ยวกับเรา', 'about', implode("\n\n", [
    $p('สำนักงานสาธารณสุขจังหวัดตัวอย่างจัดทำเว็บไซต์นี้เพื่อเป็นศูนย์กลางการจัดการความรู้ด้านสุขภาพและสุขภาพภาคประชาชน ' . esc_text(next_para())),
    $hd('พันธกิจ'),
    $ul(['รวบรวมและเผยแพร่องค์ความรู้ด้านสุขภาพชุมชน', 'สนับสนุนการแลกเปลี่ยนเรียนรู้ของ อสม. และเจ้าหน้าที่', 'ส่งเสริมนวัตกรรมสุขภาพภาคประชาชน']),
    $p(esc_text(next_para())),
]), 0, 1);
$mk_page(1, 'บริการของเรา', 'services', implode("\n\n", [
    $p('ศูนย์จัดการความรู้ให้บริการข้อมูลและสื่อความรู้สำหรับ อสม. เจ้าหน้าที่สาธารณสุข และประชาชนทั่วไป'),
    $p(esc_text(next_para())),
]), 0, 2);
$mk_page(2, 'คลังความรู้ อสม.', '', implode("\n\n", [
    $p('รวมเอกสาร คู่มือ และสื่อการเรียนรู้สำหรับอาสาสมัครสาธารณสุขประจำหมู่บ้าน ' . esc_text(next_para())),
    block_file('A21', 'คู่มือการปฏิบัติงาน อสม. ปี ๒๕๖๗ (PDF)'),
]), $pageIds[1], 1);
$mk_page(3, 'ติดต่อเรา', 'contact', "สำนักงานสาธารณสุขจังหวัดตัวอย่าง\nถนนตัวอย่าง ตำบลในเมือง อำเภอเมือง จังหวัดตัวอย่าง ๑๐๐๐๐\n\nโทรศัพท์ ๐ ๒๑๒๓ ๔๕๖๗ ต่อ ๑๒๓ &#8211; ในวันและเวลาราชการ\n\nอีเมล <a href=\"mailto:km@km.example.go.th\">km@km.example.go.th</a>", 0, 3);
$mk_page(4, 'นโยบายคุ้มครองข้อมูลส่วนบุคคล', 'privacy-policy', implode("\n\n", [
    $p('สำนักงานให้ความสำคัญกับการคุ้มครองข้อมูลส่วนบุคคลตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. ๒๕๖๒'),
    $hd('ข้อมูลที่เก็บรวบรวม', 3),
    $p('เว็บไซต์นี้เก็บเฉพาะข้อมูลที่จำเป็นต่อการให้บริการ เช่น ชื่อและอีเมลของผู้แสดงความคิดเห็น'),
]), 0, 4);
note('pages', $pageIds);

/* ------------------------------------------------------------------ */
/* Posts                                                              */
/* ------------------------------------------------------------------ */
$SEARCH = [
    12 => 'ธนาคารต้นกล้าสมุนไพรบ้านโคกสะอาด',
    33 => 'ขนมจีนน้ำยาปลาทูสูตรลดโซเดียม',
    57 => 'ไม้เท้าส่งเสียงเตือนเมื่อหกล้ม',
];
$SEARCH_SENTENCE = [
    12 => 'ในปีนี้ชุมชนได้ริเริ่มโครงการ{w}เพื่อเพาะต้นกล้าฟ้าทะลายโจรและขมิ้นชันแจกจ่ายให้ครัวเรือนที่สนใจปลูกไว้ใช้เอง',
    33 => 'แม่ครัวจากโรงครัวชุมชนได้สาธิตการทำ{w}ให้ผู้ป่วยเบาหวานและความดันโลหิตสูงได้ชิมและนำสูตรกลับไปทำที่บ้าน',
    57 => 'ผลงานที่ได้รับความสนใจมากที่สุดคือ{w}ซึ่ง อสม. ประดิษฐ์จากท่อพีวีซีและกริ่งจักรยานราคาไม่ถึงสองร้อยบาท',
];
$ENTITY = 'โครงการนี้ได้รับการสนับสนุนจาก สสส. &amp; สปสช. ภายใต้แผนงาน&nbsp;KM&nbsp;3.0 ระยะที่ ๒ &#8211; ปีงบประมาณ {y}';
$ENTITY_POSTS = [7, 57, 88, 63];
$STICKY = 40;
$postIds = [];

foreach ($plan as $i => $P) {
    $local = $P['local'];
    $dBE = th_digits($local->format('j')) . ' ' . $monthsTh[(int) $local->format('n')] . ' ' . th_digits($P['yBE']);
    $count = mt_rand(12, 140);
    $intro = "เมื่อวันที่ $dBE {$P['place']}ได้จัดกิจกรรม{$P['pat'][3]} โดยมี อสม. และเจ้าหน้าที่เข้าร่วมจำนวน " . (mt_rand(0, 1) ? th_digits($count) : $count) . ' คน';
    $nParas = mt_rand(3, 5);
    $body = [];
    for ($j = 0; $j < $nParas; $j++) $body[] = esc_text(next_para());
    // <strong> around the opening words of one paragraph in about a third of the posts
    if (mt_rand(0, 2) === 0) {
        $parts = preg_split('/ /u', $body[0], 2);
        if (count($parts) === 2) $body[0] = '<strong>' . $parts[0] . '</strong> ' . $parts[1];
    }
    $extra = [];
    if (isset($SEARCH[$i])) $extra[] = str_replace('{w}', $SEARCH[$i], $SEARCH_SENTENCE[$i]);
    if (in_array($i, $ENTITY_POSTS, true)) $extra[] = str_replace('{y}', th_digits($P['yBE']), $ENTITY);
    if ($i % 6 === 1) {
        $prev = $postIds ? $postIds[array_rand($postIds)] : 0;
        $links = 'อ่านรายละเอียดเพิ่มเติมได้ที่ <a href="https://www.hss.moph.go.th/" target="_blank" rel="noreferrer noopener">เว็บไซต์กรมสนับสนุนบริการสุขภาพ</a>';
        if ($prev && get_post_status($prev) === 'publish') {
            $links .= ' และบทความ <a href="' . get_permalink($prev) . '">' . esc_text(get_the_title($prev)) . '</a>';
        }
        $extra[] = $links;
    }

    // media used by this post
    $mine = array_keys(array_filter($att, fn($a) => $a['owner'] === $i));

    if ($P['classic']) {
        $chunks = array_merge([$intro . ' ' . $body[0]], array_slice($body, 1), $extra);
        foreach ($mine as $key) {
            if ($key === 'A01') array_splice($chunks, 1, 0, [classic_img('A01')]);
            if ($key === 'A11') array_splice($chunks, 2, 0, ['[caption id="attachment_' . $att['A11']['id'] . '" align="aligncenter" width="' . $att['A11']['meta']['width'] . '"]' . classic_img('A11', 'full', 'aligncenter') . ' ' . esc_text($att['A11']['caption']) . '[/caption]']);
            if ($key === 'A18') $chunks[1] = classic_img('A18', 'medium', 'alignright') . $chunks[1];
            if ($key === 'A06') $chunks[] = '[gallery ids="' . $att['A06']['id'] . ',' . $att['A07']['id'] . '"]';
        }
        if ($i === 78) array_splice($chunks, 2, 0, ['<img src="' . $att['A02']['url'] . '" alt="" />']); // image of another post
        $content = implode("\n\n", $chunks);
    } else {
        $h = $headings;
        $h1 = $h[mt_rand(0, 4)];
        $h2 = $h[mt_rand(5, 9)];
        $blocks = [$p($intro . ' ' . $body[0])];
        foreach ($mine as $key) {
            if (in_array($key, ['A10', 'A14'], true)) continue;                       // featured image only
            if (str_ends_with($att[$key]['name'], '.pdf')) continue;
            $blocks[] = block_image($key, in_array($key, ['A12', 'A17'], true) ? 'medium' : 'full');
        }
        $blocks[] = $hd($h1, mt_rand(0, 3) ? 2 : 3);
        $blocks[] = $p($body[1]);
        $items = [];
        for ($j = 0, $n = mt_rand(3, 5); $j < $n; $j++) $items[] = esc_text(rnd_pick($phrases));
        if ($i % 17 === 0) {   // an older-style list without list-item inner blocks
            $blocks[] = "<!-- wp:list {\"ordered\":true} -->\n<ol><li>" . implode('</li><li>', $items) . "</li></ol>\n<!-- /wp:list -->";
        } else {
            $blocks[] = $ul($items);
        }
        $blocks[] = $hd($h2);
        for ($j = 2; $j < count($body); $j++) $blocks[] = $p($body[$j]);
        foreach ($extra as $e) $blocks[] = $p($e);
        foreach ($mine as $key) {
            if (str_ends_with($att[$key]['name'], '.pdf')) {
                $blocks[] = block_file($key, $att[$key]['title'] . ' (PDF)');
            }
        }
        $content = implode("\n\n", $blocks);
    }

    // categories: primary + sometimes a second one
    $cats = [$cat[$P['pat'][2]]];
    if (mt_rand(0, 9) < 4) {
        $other = rnd_pick(array_values($cat));
        if (!in_array($other, $cats, true)) $cats[] = $other;
    }
    $ntags = rnd_pick([0, 1, 1, 2, 2, 2, 3, 3]);
    $ptags = [];
    while (count($ptags) < $ntags) { $t = rnd_pick($tags); if (!in_array($t, $ptags, true)) $ptags[] = $t; }

    $slug = '';
    if ($i % 7 === 0) $slug = $P['pat'][1] . '-' . $P['yBE'];
    if ($i === 24 || $i === 49) $slug = 'km-monthly-meeting';   // second one becomes km-monthly-meeting-2

    $arr = [
        'post_type' => 'post', 'post_status' => $P['status'], 'post_author' => $P['author'],
        'post_title' => $P['title'], 'post_content' => $content, 'post_name' => $slug,
        'post_category' => $cats, 'tags_input' => $ptags,
        'post_date' => $local->format('Y-m-d H:i:s'),
        'comment_status' => 'open', 'ping_status' => 'open',
    ];
    if ($P['status'] !== 'draft') {   // drafts keep WordPress's floating date (post_date_gmt 0000-00-00)
        $arr['post_date_gmt'] = (clone $local)->setTimezone($UTC)->format('Y-m-d H:i:s');
    }
    if ($i % 4 === 0) {
        $arr['post_excerpt'] = mb_substr(strip_tags($body[1]), 0, 120) . '…';
    }
    wp_set_current_user($P['author']);
    $id = wp_insert_post(wp_slash($arr), true);
    if (is_wp_error($id)) { fwrite(STDERR, "post $i: " . $id->get_error_message() . "\n"); exit(1); }
    $postIds[$i] = $id;
}

/* attach media to their posts the way Media > "Attach" does (a direct post_parent update) */
global $wpdb;
foreach ($att as $key => $a) {
    $parent = $a['owner'] === null ? 0 : (is_string($a['owner']) ? $pageIds[(int) substr($a['owner'], 5)] : $postIds[$a['owner']]);
    if ($parent) {
        $wpdb->update($wpdb->posts, ['post_parent' => $parent], ['ID' => $a['id']]);
        clean_attachment_cache($a['id']);
    }
}
foreach ($FEATURED as $key => $i) set_post_thumbnail($postIds[$i], $att[$key]['id']);
stick_post($postIds[$STICKY]);

/* a few comments (one threaded reply) */
$later = fn($i, $mod) => (clone $plan[$i]['local'])->modify($mod)->format('Y-m-d H:i:s');
$c1 = wp_insert_comment([
    'comment_post_ID' => $postIds[12], 'comment_author' => 'ป้าบุญมี ศรีสุข', 'comment_author_email' => 'boonmee@example.com',
    'comment_author_IP' => '127.0.0.1', 'comment_content' => 'ขอบคุณค่ะ ได้ความรู้มากเลย จะนำไปบอกต่อ อสม. ในหมู่บ้านนะคะ',
    'comment_date' => $later(12, '+2 days'), 'comment_approved' => 1,
]);
wp_insert_comment([
    'comment_post_ID' => $postIds[12], 'comment_author' => 'สมศรี ใจดี', 'comment_author_email' => 'somsri@km.example.go.th',
    'user_id' => $authors[0], 'comment_parent' => $c1, 'comment_author_IP' => '127.0.0.1',
    'comment_content' => 'ยินดีค่ะ หากต้องการเอกสารเพิ่มเติมติดต่อได้ที่สำนักงานนะคะ',
    'comment_date' => $later(12, '+3 days'), 'comment_approved' => 1,
]);
wp_insert_comment([
    'comment_post_ID' => $postIds[45], 'comment_author' => 'นายแดง', 'comment_author_email' => 'daeng@example.com',
    'comment_author_IP' => '127.0.0.1', 'comment_content' => 'อยากให้จัดกิจกรรมแบบนี้ที่ตำบลของผมบ้างครับ',
    'comment_date' => $later(45, '+1 day'), 'comment_approved' => 1,
]);

/* deliberately missing files: delete the original and every generated size */
$missing = [];
foreach ($MISSING as $key) {
    $a = $att[$key];
    $files = [$a['file']];
    foreach (($a['meta']['sizes'] ?? []) as $s) $files[] = dirname($a['file']) . '/' . $s['file'];
    foreach ($files as $f) { if (is_file($f)) unlink($f); }
    $missing[$key] = ['attachment_id' => $a['id'], 'url' => $a['url'],
        'deleted' => array_map(fn($f) => substr($f, strlen(wp_upload_dir()['basedir']) + 1), $files),
        'post_id' => $postIds[$a['owner']], 'post_title' => $plan[$a['owner']]['title']];
}

/* ------------------------------------------------------------------ */
/* Manifest                                                           */
/* ------------------------------------------------------------------ */
note('authors', array_map(fn($u) => [$u, get_userdata($u)->user_login, get_userdata($u)->display_name], array_merge([1], $authors)));
note('categories', $cat);
note('sticky', [$postIds[$STICKY], $plan[$STICKY]['title']]);
note('missing', $missing);
note('search', array_map(fn($i) => ['word' => $SEARCH[$i], 'post_id' => $postIds[$i], 'title' => $plan[$i]['title'], 'classic' => $plan[$i]['classic'], 'status' => $plan[$i]['status']], array_keys($SEARCH)));
note('slug_dup', [[$postIds[24], get_post($postIds[24])->post_name], [$postIds[49], get_post($postIds[49])->post_name]]);
note('attachments', array_map(fn($a) => [$a['id'], substr($a['file'], strlen(wp_upload_dir()['basedir']) + 1)], $att));
note('drafts', array_map(fn($i) => $postIds[$i], $DRAFT));
note('private', array_map(fn($i) => $postIds[$i], $PRIVATE));
note('classic', array_values(array_map(fn($P) => $postIds[$P['i']], array_filter($plan, fn($P) => $P['classic']))));
echo json_encode($manifest, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
