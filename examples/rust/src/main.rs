//! The seed's Rust core, on ual: ask the NPU first (`ual_npu_init() == 0`), fall back to the CPU on -1, then run a
//! small GEMM on the chosen device through ual's C ABI (include/ual/ual.h) and check it against a plain loop.
//! With a model argument (an .onnx file or a FastFlowLM tag) it is also run on the NPU when a route exists.
use std::ffi::{c_char, c_float, c_int, c_void, CStr, CString};
use std::process::ExitCode;
use std::ptr;

#[allow(non_camel_case_types)]
type ual_status = c_int; // 0 = UAL_OK
#[allow(non_camel_case_types)]
type ual_device = *mut c_void;
#[allow(non_camel_case_types)]
type ual_tensor = *mut c_void;

const UAL_OK: ual_status = 0;
const UAL_DTYPE_F32: c_int = 0;
const UAL_NPU_UNAVAILABLE: c_int = -1;

#[link(name = "ual")]
extern "C" {
    fn ual_version() -> *const c_char;
    fn ual_last_error() -> *const c_char;
    // The seed's FFI contract (amd_npu_init / amd_npu_run_model), kept exactly.
    fn ual_npu_init() -> c_int;
    fn ual_npu_run_model(model: *const c_char) -> c_int;
    fn ual_device_create(id_or_policy: *const c_char, out: *mut ual_device) -> ual_status;
    fn ual_device_destroy(device: ual_device) -> ual_status;
    fn ual_device_id(device: ual_device, out: *mut *const c_char) -> ual_status;
    fn ual_tensor_create(device: ual_device, dtype: c_int, shape: *const i64, rank: usize, host_data: *const c_void,
                         host_bytes: usize, out: *mut ual_tensor) -> ual_status;
    fn ual_tensor_read(tensor: ual_tensor, host_data: *mut c_void, host_bytes: usize) -> ual_status;
    fn ual_tensor_destroy(tensor: ual_tensor) -> ual_status;
    fn ual_gemm(a: ual_tensor, b: ual_tensor, d: ual_tensor, transpose_a: c_int, transpose_b: c_int,
                alpha: c_float) -> ual_status;
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(ual_last_error()) }.to_string_lossy().into_owned()
}

fn check(status: ual_status, what: &str) -> Result<(), String> {
    if status == UAL_OK { Ok(()) } else { Err(format!("{what} failed ({status}): {}", last_error())) }
}

/// A tensor handle destroyed when dropped.
struct Tensor(ual_tensor);
impl Drop for Tensor {
    fn drop(&mut self) {
        unsafe { ual_tensor_destroy(self.0) };
    }
}

fn tensor(device: ual_device, shape: &[i64], data: Option<&[f32]>) -> Result<Tensor, String> {
    let mut handle: ual_tensor = ptr::null_mut();
    let (pointer, bytes) = match data {
        Some(values) => (values.as_ptr() as *const c_void, std::mem::size_of_val(values)),
        None => (ptr::null(), 0),
    };
    check(unsafe { ual_tensor_create(device, UAL_DTYPE_F32, shape.as_ptr(), shape.len(), pointer, bytes, &mut handle) },
          "ual_tensor_create")?;
    Ok(Tensor(handle))
}

fn gemm_on(device: ual_device) -> Result<Vec<f32>, String> {
    let (m, n, k) = (2usize, 2usize, 3usize);
    let a: Vec<f32> = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b: Vec<f32> = vec![0.5, -1.0, 1.5, 2.0, -0.5, 0.25];
    let ta = tensor(device, &[m as i64, k as i64], Some(&a))?;
    let tb = tensor(device, &[k as i64, n as i64], Some(&b))?;
    let td = tensor(device, &[m as i64, n as i64], None)?;
    check(unsafe { ual_gemm(ta.0, tb.0, td.0, 0, 0, 1.0) }, "ual_gemm")?;
    let mut d = vec![0f32; m * n];
    check(unsafe { ual_tensor_read(td.0, d.as_mut_ptr() as *mut c_void, std::mem::size_of_val(&d[..])) },
          "ual_tensor_read")?;
    for i in 0..m {
        for j in 0..n {
            let expected: f32 = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            if (d[i * n + j] - expected).abs() > 1e-5 {
                return Err(format!("d[{i}][{j}] = {} but a plain loop gives {expected}", d[i * n + j]));
            }
        }
    }
    Ok(d)
}

fn run() -> Result<(), String> {
    println!("libual {}", unsafe { CStr::from_ptr(ual_version()) }.to_string_lossy());
    // The seed's rule: 0 means the NPU is there; -1 (UAL_NPU_UNAVAILABLE) means fall back to the CPU.
    let npu = unsafe { ual_npu_init() };
    let request = if npu == 0 {
        println!("NPU available: using it");
        "prefer_npu"
    } else {
        println!("NPU unavailable ({npu}): falling back to the CPU ({})", last_error());
        "cpu:0"
    };
    if let Some(model) = std::env::args().nth(1) {
        let model = CString::new(model).map_err(|_| "the model argument holds a NUL byte".to_string())?;
        match unsafe { ual_npu_run_model(model.as_ptr()) } {
            0 => println!("model ran on the NPU"),
            UAL_NPU_UNAVAILABLE => println!("no NPU route for this model: the CPU path would run it"),
            code => return Err(format!("ual_npu_run_model failed ({code}): {}", last_error())),
        }
    }
    let mut device: ual_device = ptr::null_mut();
    let request = CString::new(request).unwrap();
    check(unsafe { ual_device_create(request.as_ptr(), &mut device) }, "ual_device_create")?;
    let mut id: *const c_char = ptr::null();
    check(unsafe { ual_device_id(device, &mut id) }, "ual_device_id")?;
    println!("device {}", unsafe { CStr::from_ptr(id) }.to_string_lossy());
    let result = gemm_on(device);
    unsafe { ual_device_destroy(device) };
    println!("gemm [2x3] x [3x2] = {:?}", result?);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
