# synthspectrum's workshop helpers for the R role: check(), todo(), workshop_data(),
# fingerprint() and out_dir(), the twins of Python's synthspectrum.workshop. Loading this
# file also loads the R twin (synthspectrum.R: syn, utility_gen, ...).
#
#   source(system2(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum"), c("workshop", "r"), stdout = TRUE))   # from any folder
#   real <- workshop_data("train")
#   ...
#   check("m1")
#
# The line above asks the Python package where this file is; the file asks it, in turn, where
# the twin, the data and the checkpoint specification are (so it works from any folder, and R
# and Python read the very same files). Where the synthspectrum command is not on R's PATH
# (RStudio started from a desktop menu, say), set SYNTHSPECTRUM_BIN to its full path, e.g.
# Sys.setenv(SYNTHSPECTRUM_BIN = "~/synthspectrum/.venv/bin/synthspectrum"), then source().

.ws_paths <- new.env()
.ws_path <- function(what) {
  if (is.null(.ws_paths[[what]])) {
    bin <- Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum")
    # one call for every path: each call starts Python, which takes a second
    out <- tryCatch(suppressWarnings(system2(path.expand(bin), c("workshop", "path", "all"), stdout = TRUE,
                                             stderr = FALSE)),
                    error = function(e) character())
    if (!length(out) || !is.null(attr(out, "status"))) {
      stop("cannot run the synthspectrum command (", bin, "): activate the Python virtualenv ",
           "(source .venv/bin/activate) before starting R, or set SYNTHSPECTRUM_BIN to the full path of ",
           ".venv/bin/synthspectrum", call. = FALSE)
    }
    for (line in out) {
      at <- regexpr("=", line, fixed = TRUE)
      if (at > 0) assign(substr(line, 1, at - 1), substr(line, at + 1, nchar(line)), envir = .ws_paths)
    }
  }
  .ws_paths[[what]]
}

source(.ws_path("twin"))

# A stub in an exercise: the learner replaces todo() with their code. It stops, so that a
# step left undone is never silently skipped.
todo <- function() {
  stop(structure(class = c("todo", "error", "condition"),
                 list(message = "step not done yet: replace todo() with your code", call = NULL)))
}

workshop_data <- function(name = "train") {
  names <- c("ae", "deidentified", "train", "holdout")
  if (!is.character(name) || length(name) != 1 || !(name %in% names)) {
    stop("no workshop data called ", deparse(name), "; the workshop data are ",
         paste(sprintf("'%s'", names), collapse = ", "), call. = FALSE)
  }
  readRDS(file.path(.ws_path("data"), paste0(name, ".rds")))
}

# Whether synthpop can be used here (the modules that need it say so).
synthpop_ready <- function() requireNamespace("synthpop", quietly = TRUE)

out_dir <- function() {
  dir.create("workshop_out", showWarnings = FALSE)
  "workshop_out"
}

# The same canonical text as Python's synthspectrum.workshop.fingerprint, then its MD5.
.ws_kind <- function(x) {
  if (is.logical(x)) "logical"
  else if (inherits(x, "Date")) "date"
  else if (inherits(x, "POSIXt")) "datetime"
  else if (is.factor(x) || is.character(x)) "text"
  else if (is.integer(x)) "integer"
  else if (is.numeric(x)) "number"
  else "text"
}

.ws_texts <- function(x, kind) {
  out <- switch(kind,
    integer = as.character(x),
    number = ifelse(is.infinite(x), ifelse(x > 0, "Inf", "-Inf"), sprintf("%.10g", x)),
    logical = ifelse(x, "TRUE", "FALSE"),
    date = format(x, "%Y-%m-%d"),
    datetime = format(x, "%Y-%m-%d %H:%M:%S"),
    as.character(x))
  out[is.na(x)] <- "NA"
  out
}

fingerprint <- function(df) {
  if (inherits(df, "synds")) df <- df$syn
  if (is.list(df) && !is.null(df$synthetic) && !is.data.frame(df)) df <- df$synthetic
  if (!is.data.frame(df)) stop("fingerprint() takes a data.frame", call. = FALSE)
  kinds <- vapply(df, .ws_kind, "")
  header <- paste(paste0(names(df), ":", kinds), collapse = "\t")
  cols <- Map(.ws_texts, df, kinds)
  rows <- if (nrow(df)) do.call(paste, c(unname(cols), sep = "\t")) else character()
  tmp <- tempfile()
  on.exit(unlink(tmp))
  con <- file(tmp, "wb")
  writeBin(charToRaw(enc2utf8(paste0(paste(c(header, rows), collapse = "\n"), "\n"))), con)
  close(con)
  unname(tools::md5sum(tmp))
}

# --- checkpoints: the same rules as Python's synthspectrum/workshop/checkpoints.py --------

.ws_not_done <- function(x) is.null(x) || inherits(x, "todo")
.ws_number <- function(x) {
  if (is.data.frame(x) || !is.numeric(x) || length(x) != 1 || is.factor(x)) return(NULL)
  as.numeric(unname(x))
}
# unname: res$method[visit[1]] is a named string, the same answer as its value
.ws_text <- function(x) if (is.character(x) && length(x) == 1 && !is.na(x)) unname(x) else NULL
.ws_fmt <- function(x) sprintf("%.6g", x)

.ws_judge_step <- function(step, answers) {
  var <- step$var
  test <- step$test
  tol <- if (is.null(step$tol)) 0 else step$tol
  if (!exists(var, envir = answers, inherits = FALSE)) return(c("not_done", sprintf("`%s` is not done yet", var)))
  x <- get(var, envir = answers, inherits = FALSE)
  if (.ws_not_done(x)) return(c("not_done", sprintf("`%s` is not done yet", var)))
  other_value <- function() {
    if (!exists(step$other, envir = answers, inherits = FALSE)) return(NULL)
    y <- get(step$other, envir = answers, inherits = FALSE)
    if (.ws_not_done(y)) NULL else list(y)
  }
  if (test %in% c("value", "less", "same") && !(test == "same" && !is.null(.ws_text(x)))) {
    got <- .ws_number(x)
    if (is.null(got)) return(c("wrong_type", sprintf("`%s` should be a single number", var)))
    if (is.na(got)) return(c("wrong_value", sprintf("`%s` is NaN (a missing number)", var)))
    if (test == "value") {
      if (abs(got - step$value) <= tol) return(c("right", ""))
      return(c("wrong_value", sprintf("`%s` is %s, not the expected value", var, .ws_fmt(got))))
    }
    if (!is.null(step$other)) {
      y <- other_value()
      if (is.null(y)) return(c("not_done", sprintf("`%s` (to compare `%s` with) is not done yet", step$other, var)))
      ref <- .ws_number(y[[1]])
      if (is.null(ref)) return(c("wrong_type", sprintf("`%s` should be a single number", step$other)))
    } else {
      ref <- step$value
    }
    if (test == "less") {
      if (got < ref) return(c("right", ""))
      return(c("wrong_value", sprintf("`%s` is %s, not below %s", var, .ws_fmt(got), .ws_fmt(ref))))
    }
    if (abs(got - ref) <= tol) return(c("right", ""))
    return(c("wrong_value", sprintf("`%s` is %s but `%s` is %s", var, .ws_fmt(got), step$other, .ws_fmt(ref))))
  }
  if (test == "same") {
    y <- other_value()
    if (is.null(y)) return(c("not_done", sprintf("`%s` (to compare `%s` with) is not done yet", step$other, var)))
    ref <- .ws_text(y[[1]])
    if (is.null(ref)) return(c("wrong_type", sprintf("`%s` should be a single string", step$other)))
    if (identical(.ws_text(x), ref)) return(c("right", ""))
    return(c("wrong_value", sprintf("`%s` and `%s` differ", var, step$other)))
  }
  if (test == "text") {
    got <- .ws_text(x)
    if (is.null(got)) return(c("wrong_type", sprintf("`%s` should be a single string", var)))
    if (identical(got, step$value)) return(c("right", ""))
    return(c("wrong_value", sprintf("`%s` is not the expected text", var)))
  }
  if (test == "true") {
    if (!is.logical(x) || length(x) != 1 || is.na(x)) return(c("wrong_type", sprintf("`%s` should be a single true/false value", var)))
    if (isTRUE(x)) return(c("right", ""))
    return(c("wrong_value", sprintf("`%s` is not true", var)))
  }
  if (test == "file") {
    got <- .ws_text(x)
    if (is.null(got)) return(c("wrong_type", sprintf("`%s` should be the path of a file", var)))
    if (file.exists(got) && !dir.exists(got)) return(c("right", ""))
    return(c("wrong_value", sprintf("`%s` names no existing file", var)))
  }
  # rows
  if (!is.data.frame(x)) return(c("wrong_type", sprintf("`%s` should be a data frame", var)))
  if (nrow(x) != step$value) return(c("wrong_value", sprintf("`%s` has %d rows, not the expected number", var, nrow(x))))
  if (!is.null(step$columns) && !identical(names(x), as.character(unlist(step$columns)))) {
    return(c("wrong_value", sprintf("`%s` does not have the expected columns", var)))
  }
  c("right", "")
}

.ws_load_spec <- function(module) {
  path <- file.path(.ws_path("checkpoints"), paste0(module, ".json"))
  if (!file.exists(path)) stop("no checkpoint for module ", deparse(module), call. = FALSE)
  if (!requireNamespace("jsonlite", quietly = TRUE)) {
    stop("check() reads the checkpoints with the R package jsonlite: install.packages('jsonlite') ",
         "(Debian: apt-get install r-cran-jsonlite)", call. = FALSE)
  }
  jsonlite::fromJSON(path, simplifyVector = FALSE)
}

.ws_judge <- function(spec, answers, side = "r") {
  rows <- list()
  for (step in spec$steps) {
    if (side != "all" && !(step$side %in% c(side, "both"))) next
    v <- .ws_judge_step(step, answers)
    ok <- v[1] == "right"
    message <- if (ok) step$name else sprintf("%s: %s. Hint: %s", step$name, v[2], step$hint)
    rows[[length(rows) + 1]] <- data.frame(step = as.integer(step$step), name = step$name, ok = ok,
                                           reason = v[1], message = message, stringsAsFactors = FALSE)
  }
  out <- do.call(rbind, rows)
  if (is.null(out)) out <- data.frame(step = integer(), name = character(), ok = logical(),
                                      reason = character(), message = character())
  out
}

check <- function(module, answers = parent.frame(), quiet = FALSE) {
  if (is.list(answers) && !is.environment(answers)) answers <- list2env(answers)
  verdicts <- .ws_judge(.ws_load_spec(module), answers, side = "r")
  if (!quiet) {
    cat(sprintf("Checkpoint %s: %d of %d steps right\n", module, sum(verdicts$ok), nrow(verdicts)))
    for (i in seq_len(nrow(verdicts))) {
      cat(if (verdicts$ok[i]) "  [ok] " else "  [X]  ", sprintf("step %d: %s\n", verdicts$step[i], verdicts$message[i]),
          sep = "")
    }
    if (nrow(verdicts) && all(verdicts$ok)) cat("  All done: on to the next module.\n")
  }
  invisible(verdicts)
}
