//===- xfmr-run.cpp - run one function of a compiled xfmr module ----------===//
//
// iree-run-module's conventions on xfmr modules:
//
//   xfmr-run model.mlir|model.so --function=NAME
//       --input=@x.npy --input="2x3xf32=1 2 3 4 5 6" ...
//       [--output=@y.npy | --output=- ...] [--benchmark=N]
//
// .mlir files are compiled by the CPU pipeline and JIT-compiled; shared
// libraries from xfmr-compile --emit=shared are dlopen()ed. --target=cuda
// runs on the first GPU: a library from xfmr-compile --target=cuda
// --emit=shared, or an .mlir file compiled by the GPU pipeline into one; the
// CUDA driver (libcuda.so.1) is loaded at run time, and its absence or any
// GPU failure is reported as an error. Every input is checked against the
// function's signature before the call, and every error names what is wrong and
// exits non-zero.
//
//===----------------------------------------------------------------------===//

#include "xfmr/Runtime/CompiledModule.h"
#include "xfmr/Runtime/CudaDriver.h"
#include "xfmr/Runtime/Npy.h"
#include "xfmr/Runtime/Tensor.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>

using namespace mlir;
using namespace mlir::xfmr;
namespace cl = llvm::cl;

static cl::OptionCategory category("xfmr-run options");

static cl::opt<std::string> moduleFilename(cl::Positional,
                                           cl::desc("<module: .mlir or .so>"),
                                           cl::Required, cl::cat(category));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("Function to call (may be left out when the module "
                          "has only one)"),
                 cl::value_desc("name"), cl::cat(category));
static cl::list<std::string>
    inputSpecs("input",
               cl::desc("One per argument, in order: @FILE.npy or an inline "
                        "value such as \"2x3xf32=1 2 3 4 5 6\""),
               cl::value_desc("spec"), cl::cat(category));
static cl::list<std::string>
    outputSpecs("output",
                cl::desc("One per result, in order: @FILE.npy, or - to print "
                         "it (without --output every result is printed)"),
                cl::value_desc("spec"), cl::cat(category));
static cl::opt<unsigned>
    benchmarkCalls("benchmark",
                   cl::desc("Time N calls after a warm-up call and print "
                            "min/median/mean time per call"),
                   cl::value_desc("N"), cl::init(0), cl::cat(category));
static cl::opt<std::string> pipelineOptions(
    "pipeline-options",
    cl::desc("Options of the pipeline that compiles an .mlir module, as "
             "for xfmr-opt's --xfmr-cpu-pipeline=\"...\" (e.g. "
             "\"vectorize=false\") or, with --target=cuda, "
             "--xfmr-gpu-pipeline=\"...\" (e.g. \"chip=sm_80\")"),
    cl::value_desc("options"), cl::cat(category));
static cl::opt<std::string>
    targetName("target",
               cl::desc("Where to run: cpu, or cuda (the first GPU, through "
                        "the CUDA driver loaded at run time)"),
               cl::init("cpu"), cl::cat(category));
/// --threads, registered from main(): libLLVM already has an unrelated,
/// hidden `-threads` option, which is renamed first.
static cl::opt<unsigned> &getThreadCountOption() {
  static cl::opt<unsigned> threadCount(
      "threads",
      cl::desc("OpenMP threads for the parallel loops of the module (sets "
               "OMP_NUM_THREADS; default: OMP_NUM_THREADS, else one per "
               "core). Modules compiled with the pipeline option "
               "threads=false run on one thread"),
      cl::value_desc("N"), cl::init(0), cl::cat(category));
  return threadCount;
}
static cl::opt<bool> prepareWeights(
    "prepare-weights",
    cl::desc("For a function with a weight-preparation form, call "
             "<f>_prepare once on its weights and time and run "
             "<f>_prepared (default true; false calls <f> itself)"),
    cl::init(true), cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::Prefix,
                                  cl::desc("JIT optimisation level for .mlir "
                                           "modules, -O0 to -O3 (default -O2)"),
                                  cl::init(2), cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "xfmr-run") << message << "\n";
  return 1;
}

static std::string formatDuration(double seconds) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (seconds < 1e-3)
    os << llvm::format("%.3f us", seconds * 1e6);
  else if (seconds < 1)
    os << llvm::format("%.3f ms", seconds * 1e3);
  else
    os << llvm::format("%.3f s", seconds);
  return s;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  if (cl::Option *clash = cl::getRegisteredOptions().lookup("threads"))
    clash->setArgStr("llvm-threads");
  cl::opt<unsigned> &threadCount = getThreadCountOption();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "xfmr-run: run a function of a compiled xfmr "
                              "module\n");
  if (optLevel > 3)
    return fail("-O" + llvm::Twine(optLevel) +
                " is not an optimisation "
                "level (use -O0 to -O3)");
  // libomp reads the variable when it initialises, at the first parallel
  // region, which is after this point.
  if (threadCount > 0)
    setenv("OMP_NUM_THREADS", std::to_string(threadCount).c_str(), 1);
  for (const std::string &spec : outputSpecs)
    if (spec != "-" && (spec.size() < 2 || spec[0] != '@'))
      return fail("--output must be @FILE.npy or -, got '" + spec + "'");

  // Inputs first: they are cheap to check and JIT compilation is not.
  SmallVector<HostTensor> inputs;
  for (auto [i, spec] : llvm::enumerate(inputSpecs)) {
    StringRef text(spec);
    llvm::Expected<HostTensor> tensor = text.starts_with("@")
                                            ? readNpyFile(text.drop_front())
                                            : parseTensorLiteral(text);
    if (!tensor)
      return fail("input " + llvm::Twine(i) + ": " +
                  llvm::toString(tensor.takeError()));
    inputs.push_back(std::move(*tensor));
  }

  if (targetName != "cpu" && targetName != "cuda")
    return fail("unknown --target '" + targetName + "' (expected cpu or cuda)");
  llvm::Expected<std::unique_ptr<CompiledModule>> module =
      std::unique_ptr<CompiledModule>();
  if (targetName == "cuda") {
    // The driver is looked up at run time, so that xfmr needs none to build
    // or to run on the CPU. Checked here first for a clear message; the
    // module's own kernel runtime loads it again.
    auto driver = CudaDriver::load();
    if (!driver)
      return fail(llvm::toString(driver.takeError()));
    if (llvm::Error e = (*driver)->initialize(0))
      return fail(llvm::toString(std::move(e)));
    auto device = (*driver)->describeDevice(0);
    if (!device)
      return fail(llvm::toString(device.takeError()));
    std::unique_ptr<GPUOptions> gpuOptions =
        GPUOptions::createFromString(pipelineOptions);
    if (!gpuOptions)
      return fail("invalid --pipeline-options '" + pipelineOptions + "'");
    if (llvm::Error e = checkGPUArch(gpuOptions->chip))
      return fail(llvm::toString(std::move(e)));
    NVPTXTargetOptions options;
    options.chip = gpuOptions->chip;
    options.host.optLevel = optLevel;
    module = CompiledModule::loadForGPU(moduleFilename, *gpuOptions, options);
  } else {
    std::unique_ptr<CPUOptions> cpuOptions =
        CPUOptions::createFromString(pipelineOptions);
    if (!cpuOptions)
      return fail("invalid --pipeline-options '" + pipelineOptions + "'");
    CPUTargetOptions options;
    options.optLevel = optLevel;
    module = CompiledModule::load(moduleFilename, options, cpuOptions.get());
  }
  if (!module)
    return fail(llvm::toString(module.takeError()));

  const Manifest &manifest = (*module)->getManifest();
  std::string name = functionName;
  if (name.empty()) {
    // The preparation entries of a function are part of it, not choices.
    llvm::StringSet<> generated;
    for (const EntrySignature &entry : manifest.entries)
      if (entry.prepared) {
        generated.insert(entry.prepared->prepare);
        generated.insert(entry.prepared->run);
      }
    std::vector<std::string> candidates;
    for (const EntrySignature &entry : manifest.entries)
      if (!generated.contains(entry.name))
        candidates.push_back(entry.name);
    if (candidates.size() != 1) {
      std::string names;
      for (const std::string &candidate : candidates)
        names += (names.empty() ? "" : ", ") + candidate;
      return fail("--function is required: the module has " +
                  (names.empty() ? std::string("no functions")
                                 : "several functions: " + names));
    }
    name = candidates.front();
  }
  auto entry = (*module)->lookupFunction(name);
  if (!entry)
    return fail(llvm::toString(entry.takeError()));
  const EntrySignature &signature = **entry;
  if (!outputSpecs.empty() && outputSpecs.size() != signature.results.size())
    return fail("got " + llvm::Twine(outputSpecs.size()) +
                " --output flags but '" + name + "' has " +
                llvm::Twine(signature.results.size()) + " result" +
                (signature.results.size() == 1 ? "" : "s"));
  if (llvm::Error e = CompiledModule::checkInputs(signature, inputs))
    return fail(llvm::toString(std::move(e)));

  // With a preparation form, the weights are transformed once here and the
  // hot entry is what runs (and is timed).
  const EntrySignature *callee = &signature;
  llvm::SmallVector<HostTensor, 4> calleeInputs(inputs.begin(), inputs.end());
  if (prepareWeights && signature.prepared) {
    auto prepared = (*module)->prepare(signature, inputs);
    if (!prepared)
      return fail(llvm::toString(prepared.takeError()));
    callee = prepared->entry;
    calleeInputs = std::move(prepared->args);
  }

  auto results = (*module)->call(*callee, calleeInputs);
  if (!results)
    return fail(llvm::toString(results.takeError()));

  if (benchmarkCalls > 0) {
    std::vector<double> times;
    for (unsigned i = 0; i < benchmarkCalls; ++i) {
      auto start = std::chrono::steady_clock::now();
      auto timed = (*module)->call(*callee, calleeInputs);
      auto stop = std::chrono::steady_clock::now();
      if (!timed)
        return fail(llvm::toString(timed.takeError()));
      times.push_back(std::chrono::duration<double>(stop - start).count());
    }
    std::sort(times.begin(), times.end());
    size_t n = times.size();
    double median =
        n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    double mean = 0;
    for (double t : times)
      mean += t;
    mean /= n;
    if (callee != &signature)
      name += " (as @" + callee->name + " after @" +
              signature.prepared->prepare + ")";
    llvm::outs() << "benchmark: @" << name << ", " << n << " calls after 1 "
                 << "warm-up: min " << formatDuration(times.front())
                 << ", median " << formatDuration(median) << ", mean "
                 << formatDuration(mean) << "\n";
    // Timing runs print no results unless asked to.
    if (outputSpecs.empty())
      return 0;
  }

  for (auto [i, result] : llvm::enumerate(*results)) {
    StringRef spec = outputSpecs.empty() ? "-" : StringRef(outputSpecs[i]);
    if (spec == "-") {
      printTensor(result, llvm::outs());
      llvm::outs() << "\n";
      continue;
    }
    if (llvm::Error e = writeNpyFile(result, spec.drop_front()))
      return fail("result " + llvm::Twine(i) + ": " +
                  llvm::toString(std::move(e)));
  }
  return 0;
}
