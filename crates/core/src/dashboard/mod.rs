//! The executive dashboard (สำหรับผู้บริหาร, คุณเอื้อ): per subtree and fiscal year, on one
//! screen: items by category, type and status; innovations by branch; target progress per
//! child unit; plan status; success levels.
//!
//! - [`ports`]: the grouped counts it needs from storage (one query per block, never one per
//!   unit).
//! - [`model`]: every block as report tables, built from counts; no I/O.
//! - [`service`]: who may look, which unit and year, and the calls to the other contexts
//!   (innovation statistics, target progress, plan overview, success levels).

pub mod model;
pub mod ports;
pub mod service;

pub use model::Dashboard;
pub use ports::{DashboardStore, ItemCount, TermCount};
