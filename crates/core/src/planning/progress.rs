//! What "% complete" means, written once: every page, export and print that shows a
//! percentage takes it from here and shows [`ACTIVITY_RULE`], [`PLAN_RULE`] or [`TARGET_RULE`]
//! beside it (hover and print), so nobody has to guess how a number was made.

use super::model::{Activity, ActivityStatus};

/// How an activity's completion is read.
pub const ACTIVITY_RULE: &str = "กิจกรรมนับว่าเสร็จเมื่อสถานะเป็น \"ดำเนินการแล้ว\" กิจกรรมที่ยกเลิกไม่นับรวม";
/// How a plan's percentage is made.
pub const PLAN_RULE: &str = "ร้อยละความสำเร็จของแผน = กิจกรรมที่ดำเนินการแล้ว ÷ กิจกรรมทั้งหมดที่ไม่ยกเลิก × 100";
/// How a target's percentage is made.
pub const TARGET_RULE: &str = "ร้อยละตามเป้าหมาย = องค์ความรู้ที่เผยแพร่แล้ว ÷ จำนวนที่ต้องมี (คน × เรื่องต่อคน) × 100 ไม่เกิน 100 ต่อหน่วยงาน; ยอดรวมของหน่วยงานแม่นับส่วนที่เกินเป้าของหน่วยงานลูกไม่ได้";

/// An activity is complete (100) when done, not (0) otherwise; a cancelled one does not count
/// (None).
pub fn activity_percent(status: ActivityStatus) -> Option<u8> {
    match status {
        ActivityStatus::Done => Some(100),
        ActivityStatus::Cancelled => None,
        ActivityStatus::NotStarted | ActivityStatus::InProgress => Some(0),
    }
}

/// Counts of a plan's activities, for the percentage and the dashboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActivityCounts {
    pub total: u32,
    pub done: u32,
    pub in_progress: u32,
    pub cancelled: u32,
}

impl ActivityCounts {
    pub fn of(activities: &[Activity]) -> Self {
        let mut c = Self::default();
        for a in activities {
            c.total += 1;
            match a.status {
                ActivityStatus::Done => c.done += 1,
                ActivityStatus::InProgress => c.in_progress += 1,
                ActivityStatus::Cancelled => c.cancelled += 1,
                ActivityStatus::NotStarted => {}
            }
        }
        c
    }

    /// Done over all that are not cancelled, rounded down; None when nothing counts.
    pub fn percent(&self) -> Option<u8> {
        let counted = self.total - self.cancelled;
        (counted > 0).then(|| (u64::from(self.done) * 100 / u64::from(counted)) as u8)
    }
}

/// Published over required, capped at 100, rounded down; None when nothing is required.
pub fn target_percent(published: u64, required: u64) -> Option<u8> {
    (required > 0).then(|| (published.min(required) * 100 / required) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelled_activities_do_not_count() {
        let c = ActivityCounts {
            total: 5,
            done: 2,
            in_progress: 1,
            cancelled: 1,
        };
        assert_eq!(c.percent(), Some(50));
        assert_eq!(ActivityCounts::default().percent(), None);
        assert_eq!(activity_percent(ActivityStatus::Cancelled), None);
    }

    #[test]
    fn targets_cap_at_one_hundred() {
        assert_eq!(target_percent(12, 9), Some(100));
        assert_eq!(target_percent(4, 9), Some(44));
        assert_eq!(target_percent(3, 0), None);
    }
}
