//! Everything that talks to the server about connections: settings, connecting, session setup
//! and the shared snapshot.

pub mod connect;
pub mod conninfo;
pub mod copy_out;
pub mod pacer;
pub mod session;
pub mod shared_socket;
pub mod simple_query;
pub mod tls;
