//! `kauthz serve`'s HTTPS layer (kauthz-server) end to end on loopback. The CLI and the server
//! share this one integration-test binary.

mod tls;
