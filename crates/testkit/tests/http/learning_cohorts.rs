//! Issue 14, cohorts room: cohorts by unit and role, reports and roll-up, reminders.
//! Contract: filled in by the cohorts helper.
