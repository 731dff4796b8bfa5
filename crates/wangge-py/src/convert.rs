//! Values between Python and the core: dates, enums by name, and any serde type as the dict
//! of its JSON shape (through `pythonize`).

use chrono::{Days, NaiveDate, NaiveDateTime};
use numpy::{AllowTypeChange, PyArrayLike1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A date from a `datetime.date` or an ISO string (`"2020-02-01"`).
pub fn date(obj: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_str()?;
        return text.parse().map_err(|_| PyValueError::new_err(format!("not a date (YYYY-MM-DD): {text:?}")));
    }
    obj.extract::<NaiveDate>().map_err(|_| PyTypeError::new_err("a date is a datetime.date or a YYYY-MM-DD string"))
}

/// A date and time from a `datetime.datetime` or an ISO string (`"2020-02-01T08:00:00"`).
pub fn datetime(obj: &Bound<'_, PyAny>) -> PyResult<NaiveDateTime> {
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_str()?;
        return text
            .parse()
            .map_err(|_| PyValueError::new_err(format!("not a date and time (YYYY-MM-DDTHH:MM:SS): {text:?}")));
    }
    obj.extract::<NaiveDateTime>()
        .map_err(|_| PyTypeError::new_err("a time is a naive datetime.datetime or a YYYY-MM-DDTHH:MM:SS string"))
}

/// `on` less `days`, checked.
pub fn days_before(on: NaiveDate, days: u32) -> PyResult<NaiveDate> {
    on.checked_sub_days(Days::new(u64::from(days)))
        .ok_or_else(|| PyValueError::new_err(format!("{days} days before {on} is out of range")))
}

/// A serde value from the Python object of its JSON shape (a dict, a list, a string ...).
pub fn from_py<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    pythonize::depythonize(obj).map_err(|e| PyValueError::new_err(format!("not a {what}: {e}")))
}

/// A unit-like enum variant by its serde name (`"CloseContact"`).
pub fn variant<T: DeserializeOwned>(name: &str, what: &str) -> PyResult<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| PyValueError::new_err(format!("not a {what}: {name:?}")))
}

/// The Python object of a serde value's JSON shape.
pub fn to_py<'py, T: Serialize + ?Sized>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| PyValueError::new_err(format!("cannot convert to Python: {e}")))
}

/// An array of ids (any integer array or sequence, converted to `u32` where needed).
pub type Ids<'py> = PyArrayLike1<'py, u32, AllowTypeChange>;

/// The ids of `array` as a slice (copied only if the array is not contiguous).
pub fn ids(array: &Ids<'_>) -> Vec<u32> {
    match array.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => array.as_array().iter().copied().collect(),
    }
}
