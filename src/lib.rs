pub use sqlcore_compiler::*;
