pub mod csr;
pub mod difflib;
pub mod pvc_diff;
