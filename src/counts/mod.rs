//! Layer 4, counting shared by every engine: the sorted score column and its
//! exact order-statistic threshold rule, threshold policies and operating points.

pub(crate) mod cluster;
pub(crate) mod column;
pub(crate) mod curves;
pub(crate) mod order;
pub mod table;
pub mod threshold;
