//! The request handlers, one module per part of the API.

pub mod acceptance;
pub mod deliveries;
pub mod map;
pub mod planning;
pub mod services;
pub mod uploads;
