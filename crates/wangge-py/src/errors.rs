//! The Python exceptions: one class per [`ErrorKind`], under `wangge.WanggeError`, each
//! carrying the core error's stable `code` and `kind`.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use wangge::{Error, ErrorKind};

create_exception!(
    wangge,
    WanggeError,
    PyException,
    "Every error the wangge registry raises. `.code` is the core's stable code (`\"grid.unknown_unit\"`), \
     `.kind` its kind (`\"not_found\"`, `\"conflict\"`, `\"invalid\"`, `\"forbidden\"`, `\"corrupt\"`); \
     a bulk call adds `.index` (the refused command's position) and `.applied` (how many before it were applied). \
     The message never carries personal data."
);
create_exception!(
    wangge,
    NotFound,
    WanggeError,
    "What the command or read names does not exist (a unit, person, case ...): kind `not_found`."
);
create_exception!(
    wangge,
    Conflict,
    WanggeError,
    "The command is well formed but the registry's state refuses it now: kind `conflict`."
);
create_exception!(
    wangge,
    Invalid,
    WanggeError,
    "The input is malformed or out of range, whatever the state: kind `invalid`."
);
create_exception!(
    wangge,
    Forbidden,
    WanggeError,
    "The command or read reaches outside the caller's scope: kind `forbidden`."
);
create_exception!(
    wangge,
    Corrupt,
    WanggeError,
    "Stored data (a snapshot, a log) does not hold together: kind `corrupt`."
);

/// The Python exception for `err`: the class of its kind, with `.code` and `.kind` set.
pub fn to_py(py: Python<'_>, err: &Error) -> PyErr {
    let message = err.to_string();
    let kind = err.kind();
    let e = match kind {
        ErrorKind::NotFound => NotFound::new_err(message),
        ErrorKind::Conflict => Conflict::new_err(message),
        ErrorKind::Invalid => Invalid::new_err(message),
        ErrorKind::Forbidden => Forbidden::new_err(message),
        ErrorKind::Corrupt => Corrupt::new_err(message),
        // `ErrorKind` is non-exhaustive: a kind added later is still a WanggeError.
        _ => WanggeError::new_err(message),
    };
    let value = e.value(py);
    // Setting an attribute on a fresh exception instance cannot fail short of memory
    // exhaustion; if it does, the exception still goes up, without the attribute.
    let _ = value.setattr("code", err.code());
    let _ = value.setattr("kind", kind.as_str());
    e
}

/// As [`to_py`], for the command at `index` of a bulk call, after `applied` were applied.
pub fn to_py_at(py: Python<'_>, err: &Error, index: usize, applied: usize) -> PyErr {
    let e = to_py(py, err);
    let value = e.value(py);
    let _ = value.setattr("index", index);
    let _ = value.setattr("applied", applied);
    e
}

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("WanggeError", py.get_type::<WanggeError>())?;
    // The spelling issue 19's task used; the same class.
    m.add("WangeError", py.get_type::<WanggeError>())?;
    m.add("NotFound", py.get_type::<NotFound>())?;
    m.add("Conflict", py.get_type::<Conflict>())?;
    m.add("Invalid", py.get_type::<Invalid>())?;
    m.add("Forbidden", py.get_type::<Forbidden>())?;
    m.add("Corrupt", py.get_type::<Corrupt>())?;
    Ok(())
}
