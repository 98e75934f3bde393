//! Issue 14, courses room: curricula, courses, lessons and question banks; the catalogue;
//! packages. Contract: filled in by the courses helper.

use super::learning_fixture::three_lesson_course;
use khlang_testkit::spawn_app;

#[tokio::test]
async fn the_fixture_course_is_published_with_three_lessons_and_five_questions() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "lcofficer", true).await;
    let outline = app
        .core()
        .course_outline(&f.officer, f.course)
        .await
        .unwrap();
    assert_eq!(outline.lessons.len(), 3);
    assert_eq!(
        outline.course.status,
        khlang_core::learning::model::CourseStatus::Published
    );
    app.stop().await;
}
