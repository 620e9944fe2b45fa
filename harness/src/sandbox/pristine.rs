//! Between a solution and its check: putting back what the solution may have changed that the
//! check relies on: the builtins, trace and profile hooks, and the modules the check names
//! (in `sys.modules` and their contents), as the warm parent had them.
//!
//! It runs in every forked child, so it compares by identity through borrowed references: only
//! what changed is written, and the interpreter's shared objects keep their reference counts
//! (a write to any of them would copy its page from the parent).

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule};

/// What the warm parent had, and where it lives, looked up once in the parent so that the
/// children do not pay for the lookups (every import and attribute access writes reference
/// counts, and each write copies a page).
pub struct Pristine {
    /// The driver's `_SAVED_BUILTINS`.
    saved_builtins: Py<PyDict>,
    /// The driver's `_MODULES`: name -> (module, namespace copy).
    modules_snapshot: Py<PyDict>,
    builtins: Py<PyDict>,
    /// The interpreter's own module table (a sample rebinding `sys.modules` does not replace it).
    sys_modules: Py<PyDict>,
    clear_hooks: Py<PyAny>,
}

impl Pristine {
    /// Take the handles, after the driver's `freeze` made its record.
    pub fn capture(py: Python<'_>, driver: &Bound<'_, PyModule>) -> PyResult<Pristine> {
        Ok(Pristine {
            saved_builtins: driver.getattr("_SAVED_BUILTINS")?.downcast_into::<PyDict>()?.unbind(),
            modules_snapshot: driver.getattr("_MODULES")?.downcast_into::<PyDict>()?.unbind(),
            builtins: py.import("builtins")?.dict().unbind(),
            sys_modules: py.import("sys")?.getattr("modules")?.downcast_into::<PyDict>()?.unbind(),
            clear_hooks: driver.getattr("clear_hooks")?.unbind(),
        })
    }

    /// Restore before running `check` (a code object).
    pub fn restore(&self, py: Python<'_>, check: &Bound<'_, PyAny>) -> PyResult<()> {
        let modules_snapshot = self.modules_snapshot.bind(py);
        let sys_modules = self.sys_modules.bind(py);
        unsafe {
            restore_dict(self.builtins.as_ptr(), self.saved_builtins.as_ptr(), true)?;
            ffi::PyEval_SetTrace(None, std::ptr::null_mut());
            ffi::PyEval_SetProfile(None, std::ptr::null_mut());
        }
        self.clear_hooks.bind(py).call0()?;
        let mut names = Vec::new();
        code_names(check, &mut names)?;
        for name in names {
            unsafe {
                let entry = ffi::PyDict_GetItemWithError(modules_snapshot.as_ptr(), name.as_ptr());
                if entry.is_null() {
                    if !ffi::PyErr_Occurred().is_null() {
                        return Err(PyErr::fetch(py));
                    }
                    continue;
                }
                if ffi::PyTuple_Check(entry) == 0 || ffi::PyTuple_Size(entry) != 2 {
                    continue;
                }
                let module = ffi::PyTuple_GetItem(entry, 0);
                let namespace = ffi::PyTuple_GetItem(entry, 1);
                if ffi::PyDict_GetItemWithError(sys_modules.as_ptr(), name.as_ptr()) != module
                    && ffi::PyDict_SetItem(sys_modules.as_ptr(), name.as_ptr(), module) < 0
                {
                    return Err(PyErr::fetch(py));
                }
                let current = ffi::PyModule_GetDict(module);
                if !current.is_null() {
                    restore_dict(current, namespace, false)?;
                }
            }
        }
        Ok(())
    }
}

/// Every name a code object (and the code nested in it) refers to.
fn code_names<'py>(code: &Bound<'py, PyAny>, out: &mut Vec<Bound<'py, PyAny>>) -> PyResult<()> {
    for name in code.getattr("co_names")?.try_iter()? {
        out.push(name?);
    }
    for constant in code.getattr("co_consts")?.try_iter()? {
        let constant = constant?;
        if unsafe { ffi::PyCode_Check(constant.as_ptr()) } != 0 {
            code_names(&constant, out)?;
        }
    }
    Ok(())
}

/// Make `current` hold `saved`'s entries again (and, with `drop_added`, nothing else), writing
/// only entries that differ.
///
/// # Safety
/// Both must be dicts; the GIL is held.
unsafe fn restore_dict(
    current: *mut ffi::PyObject,
    saved: *mut ffi::PyObject,
    drop_added: bool,
) -> PyResult<()> {
    let py = Python::assume_gil_acquired();
    let (mut pos, mut key, mut value): (ffi::Py_ssize_t, *mut ffi::PyObject, *mut ffi::PyObject) =
        (0, std::ptr::null_mut(), std::ptr::null_mut());
    while ffi::PyDict_Next(saved, &mut pos, &mut key, &mut value) != 0 {
        let now = ffi::PyDict_GetItemWithError(current, key);
        if now.is_null() && !ffi::PyErr_Occurred().is_null() {
            return Err(PyErr::fetch(py));
        }
        if now != value && ffi::PyDict_SetItem(current, key, value) < 0 {
            return Err(PyErr::fetch(py));
        }
    }
    if drop_added {
        let mut added = Vec::new();
        pos = 0;
        while ffi::PyDict_Next(current, &mut pos, &mut key, &mut value) != 0 {
            if ffi::PyDict_Contains(saved, key) == 0 {
                added.push(Py::<PyAny>::from_borrowed_ptr(py, key));
            }
        }
        for key in added {
            if ffi::PyDict_DelItem(current, key.as_ptr()) < 0 {
                return Err(PyErr::fetch(py));
            }
        }
    }
    Ok(())
}
