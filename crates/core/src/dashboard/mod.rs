//! The executive dashboard (สำหรับผู้บริหาร, คุณเอื้อ): per subtree and fiscal year, on one
//! screen: items by category, type and status; innovations by branch; target progress per
//! child unit; plan status; success levels.

pub mod ports;

pub use ports::DashboardStore;
