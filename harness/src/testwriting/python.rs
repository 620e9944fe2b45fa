//! evalrun's own Python helpers (`mutate.py`, `testfile.py`), run in this process's embedded
//! interpreter. They only parse code with Python's `ast` and never execute what they are given,
//! so they need no sandbox: running tests is the sandbox's job.

use super::TestWritingError;
use serde::de::DeserializeOwned;

/// A helper module, by file name and source.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "python"), allow(dead_code))]
pub(crate) struct Helper {
    name: &'static str,
    source: &'static str,
}

pub(crate) const MUTATE: Helper = Helper { name: "evalrun_mutate", source: include_str!("mutate.py") };
pub(crate) const TESTFILE: Helper = Helper { name: "evalrun_testfile", source: include_str!("testfile.py") };
pub(crate) const BY_ITEM: Helper = Helper { name: "evalrun_by_item", source: include_str!("by_item.py") };

/// Appended to every helper: one entry point that takes and returns JSON, so that calls need
/// no conversion code on either side.
#[cfg(feature = "python")]
const JSON_CALL: &str = r#"

def _evalrun_json_call(name, args):
    import json
    return json.dumps(globals()[name](*json.loads(args)))
"#;

/// Call `function(*args)` of `helper` and decode its JSON result. A Python exception (the code
/// does not parse, say) comes back as [`TestWritingError::Python`] with Python's message.
pub(crate) fn call<T: DeserializeOwned>(
    helper: Helper,
    function: &str,
    args: serde_json::Value,
) -> Result<T, TestWritingError> {
    let python_error = |message: String| TestWritingError::Python { function: function.to_string(), message };
    let text = run(helper, function, &args).map_err(python_error)?;
    serde_json::from_str(&text).map_err(|e| python_error(format!("unreadable result: {e}")))
}

#[cfg(feature = "python")]
fn run(helper: Helper, function: &str, args: &serde_json::Value) -> Result<String, String> {
    use pyo3::prelude::*;
    use pyo3::types::PyModule;
    use std::ffi::CString;
    Python::with_gil(|py| -> PyResult<String> {
        let code = CString::new(format!("{}{JSON_CALL}", helper.source))
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        let file = CString::new(format!("{}.py", helper.name)).unwrap_or_default();
        let name = CString::new(helper.name).unwrap_or_default();
        let module = PyModule::from_code(py, &code, &file, &name)?;
        module.getattr("_evalrun_json_call")?.call1((function, args.to_string()))?.extract()
    })
    .map_err(|e| e.to_string())
}

#[cfg(not(feature = "python"))]
fn run(_: Helper, _: &str, _: &serde_json::Value) -> Result<String, String> {
    Err(crate::sandbox::NO_PYTHON.to_string())
}
