# synthspectrum, the R twin.
#
# The same functions, with the same names and arguments, as Python's synthspectrum.synthpop,
# thin over synthpop. They return plain lists and data.frames, so that results look the same
# from R and from Python (which loads this very file through rpy2). It works on its own in any
# R session: it needs synthpop (>= 1.9-0), nothing from Python.
#
#   source(system2("synthspectrum", "r-twin", stdout = TRUE))   # from any folder
#   res <- syn(real, method = "cart", seed = 1)
#   utility_gen(real, res, method = "logit")        # measure / column / value
#   disclosure(real, res, keys = c("sex", "age"), target = "income")
#
# The line above asks the Python package where this file is (it needs the synthspectrum
# command on the PATH, e.g. an activated virtualenv). Without it, source() this file by its
# full path, or set SYNTHSPECTRUM_R to that path once (e.g. in ~/.Renviron) and use
# source(Sys.getenv("SYNTHSPECTRUM_R")). The file uses no path of its own, and is one file (hence
# its length) so that one source() line loads all of it, from R and from Python.
#
# One vocabulary, in R and in Python (synthspectrum.synthpop and the Python-native measures of
# synthspectrum.measures): every measure takes (real, synthetic, ...), in that order.
#   real       the real (training) data, a data.frame;
#   synthetic  what syn() returned, a synthpop synds object, a data.frame or a list of
#              data.frames (synthpop's own methods take all of these);
# and returns a data.frame with the columns measure, column and value, with a leading integer
# column `set` (1, 2, ...) only when the synthetic object holds m > 1 synthetic sets.
# The twins, whose Python-native measure computes the same numbers without R:
#   utility_gen(real, synthetic, method = "logit", maxorder = 1, ...)
#       pMSE, S_pMSE, SPECKS, PO50, U, AUC (= U / (n_synthetic * n_real)); column NA
#   utility_tab(real, synthetic, vars, ngroups = 5, ...)
#       pMSE, S_pMSE, df, VW, S_VW, FT, S_FT, JSD, S_JSD; column = vars joined by " x "
#   replicated_uniques(real, synthetic, keys)
#       uniques_real, uniques_synthetic, synthetic_uniques_in_real, replicated_uniques (counts),
#       replicated_uniques_percent (round(100 * replicated / n_real, 2)); column = keys joined by " x "
#   disclosure(real, synthetic, keys, target, ...)
#       UiO, UiS, UiOiS, repU, Dorig, Dsyn, iS, DiS, DiSCO, DiSDiO (percent); column = the target
# and, in the same vocabulary: utility_tables(real, synthetic, ...) (a row per table and
# statistic, column "a x b"), compare(real, synthetic, ...) (tables and a tidy utility),
# multi_disclosure(real, synthetic, keys, targets), sdc(real, synthetic, ...),
# lm_synds(formula, synthetic), glm_synds(formula, synthetic, family), compare_fit(fit, real).
# Further arguments (...) go to synthpop, spelled as synthpop spells them (cont.na) or the
# Python way (cont_na): see .ss_synthpop_args. One that synthpop's function does not take is an
# error naming it (and the closest right spelling), not ignored.
#
# syn() returns, like synthpop's own $syn, ONE data.frame in $synthetic for m = 1 and a list
# of m data.frames for m > 1 (Python's SynResult.synthetic has the same shape). Columns come
# back with the classes they went in with: character stays character (synthpop works on a
# factor), factors keep their levels, integers stay integers (a model's draws in between, e.g.
# from norm, go to the nearest whole number; NA stays NA), logicals stay logical, dates stay dates.
#
# What syn() does beyond synthpop::syn():
# * a column left without a method is copied by synthpop from the real data: a warning says so;
# * a numeric column with at most 5 distinct values is synthesised as a category (unless
#   minnumlevels is given), with a warning; it comes back as numbers;
# * dates, datetimes and durations are synthesised as numbers (dates and datetimes as days since
#   1970, durations in their own units) and come back as dates, datetimes and durations (synthpop
#   cannot model them);
# * a 64-bit integer column (bit64's integer64, e.g. from data.table's fread) is synthesised as
#   numbers (doubles, exact within 2^53; a value beyond stops, naming the column), with a
#   warning, and comes back as integer64 where bit64 is loaded (synthpop alone reads its bits
#   as a number and copies the real values);
# * a text column with more distinct values than maxfaclevels stops with a message naming it
#   (synthpop would make it a factor with that many levels);
# * a factor with more than max_cart_levels levels is still synthesised, but never used to
#   predict another column in a tree (CART and friends try 2^(k-1) splits: a 27-level factor
#   took 328 s as a predictor, a 33-level one hours); a warning names it.
# * any column name works ("Time in A&E (mins)", "1st", "if"): synthpop refuses some (numeric
#   columns with missing values whose names contain spaces) and mangles others in formulas,
#   and uses some itself (utility.gen's indicator t, disclosure's target and keys), so the
#   twin works on safe names (make.names; .ss_ in front of synthpop's own, .ss_name_map)
#   inside and gives the real names back in every result: synthetic data, method, visit_sequence, predictor_matrix, notes, measures,
#   compare tables, regression terms. synthpop's own messages may show the safe names;
#   synthpop's object in $object uses them too;
# * without models = TRUE, the multinomial models' summaries that synthpop computes and then
#   discards are not computed (.ss_without_discarded_summaries): the same synthetic data, a
#   parametric syn() five times faster;
# * values no model can use (NaN, +-Inf, magnitude >= 1e15) in a numeric column become NA,
#   with a warning naming the column (NaN alone, R's "not a number", only a note): the same
#   rule, and the same words, as Python's synthspectrum.core.numbers.clean_numbers, which the Python
#   side applies before the data reach R;
# * utility_gen() warns when synthpop's logistic propensity fit is (nearly) separated.
# Seeds: the same seed gives the same synthetic data, and leaves the caller's random numbers
# as they were. A seed is a whole number from 0 to
# 2^31 - 1, as in Python (synthspectrum.core.seeds); without one, syn() draws one from R's
# random numbers and keeps it in $seed.
#
# replicated_uniques(): the counts are synthpop's replicated.uniques(); the percentage is of
# the real records, as synthpop >= 1.9-3 gives it (1.9-0 to 1.9-2 divide by the number of
# synthetic records), whatever synthpop is installed. synthpop before 1.9-0 has neither keys
# nor disclosure(): the twin needs synthpop >= 1.9-0.

# Whether synthpop can be used, and if not why: the one check behind Python's runtime
# (rsession.twin()), `synthspectrum doctor` and the warning when this file is sourced.
# Returns c(state, version, missing, message); state is "ok", "absent" (not installed),
# "broken" (installed, but a package it needs cannot be loaded: `missing` names it) or "old".
.ss_synthpop_minimum <- "1.9.0"

.ss_synthpop_status <- function() {
  out <- function(state, version = "", missing = character(), message = "")
    c(state = state, version = version, missing = paste(missing, collapse = ", "), message = message)
  if (!nzchar(system.file(package = "synthpop")))
    return(out("absent", message = paste0(
      "R runs but the synthpop package is not installed: Rscript -e 'install.packages(\"synthpop\")' ",
      "(needs CRAN; on Debian, bash setup.sh installs its dependencies from apt first)")))
  version <- as.character(utils::packageVersion("synthpop"))
  err <- tryCatch({ loadNamespace("synthpop"); "" }, error = function(e) conditionMessage(e))
  if (nzchar(err)) {
    err <- gsub("\\s+", " ", err)
    imports <- utils::packageDescription("synthpop")$Imports
    deps <- trimws(sub("\\(.*$", "", strsplit(gsub("\\s+", " ", imports), ",")[[1]]))
    deps <- deps[nzchar(deps)]
    missing <- deps[!vapply(deps, function(p) nzchar(system.file(package = p)), logical(1))]
    # a dependency that is there but cannot load names what it lacks in the error itself
    named <- regmatches(err, regexpr("(?<=no package called )\\W?[A-Za-z][A-Za-z0-9.]*", err, perl = TRUE))
    named <- sub("^\\W", "", named)
    missing <- unique(c(missing, named))
    fix <- if (length(missing)) sprintf(
      "; install %s: Rscript -e 'install.packages(c(%s))' (on Debian: sudo apt-get install %s)",
      if (length(missing) > 1) "them" else "it",
      paste0("\"", missing, "\"", collapse = ", "), paste0("r-cran-", tolower(missing), collapse = " "))
      else ""
    return(out("broken", version, missing, sprintf(
      "synthpop %s is installed but R cannot load it%s (R says: %s)%s", version,
      if (length(missing)) sprintf(": it needs the R package%s %s, which R cannot load",
                                   if (length(missing) > 1) "s" else "", paste(missing, collapse = ", "))
      else "", err, fix)))
  }
  if (utils::packageVersion("synthpop") < .ss_synthpop_minimum)
    return(out("old", version, message = sprintf(paste0(
      "synthpop %s is too old: synthspectrum needs synthpop >= 1.9-0 (replicated.uniques with keys, ",
      "disclosure()): Rscript -e 'install.packages(\"synthpop\")'"), version)))
  out("ok", version)
}

# The twin's own errors: a condition of class synthspectrum_error, so that Python can tell them
# from synthpop's and R's. Their messages name columns, arguments and counts, never a data value,
# and Python shows them whole, in runs.csv too (another library's words are withheld there).
.ss_stop <- function(message) {
  stop(structure(class = c("synthspectrum_error", "error", "condition"),
                 list(message = message, call = NULL)))
}

# The one seed policy, in the words of Python's synthspectrum.core.seeds.check_seed (keep the
# two in step): set.seed takes a 32-bit signed integer, so a seed is a whole number in
# [0, 2^31 - 1] on both sides and a Python call and its R twin draw the same data.
.ss_seed_max <- 2147483647

.ss_check_seed <- function(seed, what = "seed") {
  ok <- is.numeric(seed) && length(seed) == 1 && !is.na(seed) && seed == round(seed) &&
    seed >= 0 && seed <= .ss_seed_max
  if (!ok) .ss_stop(sprintf("%s must be a whole number from 0 to %.0f (2^31 - 1), got %s", what, .ss_seed_max,
                        paste(deparse(seed), collapse = " ")))
  as.integer(seed)
}

# The number of synthetic sets, in the words of Python's syn() (keep the two in step): synthpop
# gives an empty list for m = 0 or -1 and one set for m = 1.5.
.ss_check_m <- function(m) {
  ok <- is.numeric(m) && length(m) == 1 && !is.na(m) && m == round(m) && m >= 1
  if (!ok) .ss_stop(sprintf("m must be a whole number >= 1, got %s", paste(deparse(m), collapse = " ")))
  m
}

# Puts R's random number state (.Random.seed in the global environment, or its absence) back
# as it is now when the calling function exits.
.ss_keep_user_rng <- function() {
  genv <- globalenv()
  had <- exists(".Random.seed", envir = genv, inherits = FALSE)
  saved <- if (had) get(".Random.seed", envir = genv, inherits = FALSE)
  restore <- function() {
    if (had) assign(".Random.seed", saved, envir = genv)
    else if (exists(".Random.seed", envir = genv, inherits = FALSE)) rm(".Random.seed", envir = genv)
  }
  do.call(on.exit, list(as.call(list(restore)), add = TRUE), envir = parent.frame())
  invisible(NULL)
}

# A seed for a call without one (kept in the result), from R's own random numbers, so that
# set.seed() before syn() still makes the call repeatable.
.ss_fresh_seed <- function() as.integer(floor(stats::runif(1) * (.ss_seed_max + 1)))

# The one place where the Python spelling of synthpop's arguments becomes synthpop's: in an
# argument that the synthpop function (or its synds / data.frame method) does not itself spell
# with "_", each "_" becomes "." (cont_na -> cont.na, cart_minbucket -> cart.minbucket), while
# disclosure's own denom_lim or thresh_1way stay as they are. Python passes such arguments
# through unchanged, so the rule is the same from both languages.
#
# For a measure (`caller`, the twin's name), the arguments must be ones that synthpop's function
# takes: its methods' formals and, where it groups numbers (ngroups), those of its group_num
# and classInt::classIntervals, which its `...` reach. Anything else, which synthpop's `...`
# would swallow without a word (maxordr = 0 measured maxorder = 1), stops, naming the argument
# and the closest right spelling; so do unnamed ones and those the twin sets itself (`fixed`).
# syn() is not checked here: synthpop's syn() refuses unknown arguments itself, and takes
# method-specific ones (cart.minbucket) that are no formals.
.ss_grouping <- c("utility.gen", "utility.tab", "utility.tables", "disclosure")

.ss_synthpop_args <- function(args, fname, caller = NULL, twin = character(), fixed = character()) {
  if (!length(args)) return(list())
  ns <- asNamespace("synthpop")
  funs <- c(fname, paste0(fname, c(".synds", ".data.frame")))
  funs <- funs[vapply(funs, function(f) exists(f, envir = ns, inherits = FALSE), logical(1))]
  own <- unique(unlist(lapply(funs, function(f) names(formals(get(f, envir = ns))))))
  if (!is.null(caller) && fname %in% .ss_grouping) {
    grouping <- names(formals(get("group_num", envir = ns)))
    if (requireNamespace("classInt", quietly = TRUE))
      grouping <- c(grouping, names(formals(classInt::classIntervals)))
    own <- unique(c(own, setdiff(grouping, c("x1", "x2", "xsyn", "n", "var", "cont.na"))))
  }
  given <- names(args)
  if (!is.null(caller) && (is.null(given) || !all(nzchar(given))))
    .ss_stop(sprintf("%s() takes further arguments (synthpop's) by name only: %d is unnamed", caller,
                     if (is.null(given)) length(args) else sum(!nzchar(given))))
  nm <- given
  fix <- !(nm %in% own) & grepl("_", nm, fixed = TRUE)
  nm[fix] <- gsub("_", ".", nm[fix], fixed = TRUE)
  if (!is.null(caller)) {
    fixed <- unique(c(fixed, "object", "data"))
    for (i in seq_along(nm)) {
      if (nm[i] %in% fixed) .ss_stop(sprintf("argument '%s' is set by %s() itself", given[i], caller))
      if (nm[i] %in% own && nm[i] != "...") next
      cands <- setdiff(unique(c(twin, setdiff(own, fixed))), c("...", "real", "synthetic"))
      dist <- pmin(adist(given[i], cands, ignore.case = TRUE)[1, ], adist(nm[i], cands, ignore.case = TRUE)[1, ])
      best <- cands[which.min(dist)]
      hint <- ""
      if (length(best) && min(dist) <= 2 && min(dist) <= nchar(given[i]) / 3) {
        # in the caller's spelling: cont_na for cont.na when the name was written with "_"
        if (grepl("_", given[i], fixed = TRUE) && !(best %in% twin)) best <- gsub(".", "_", best, fixed = TRUE)
        hint <- sprintf(" (did you mean '%s'?)", best)
      }
      .ss_stop(sprintf("argument '%s' is not one of %s()'s or synthpop's %s%s", given[i], caller, fname, hint))
    }
  }
  names(args) <- nm
  args
}

# What a column holds, as far as the real data a measure is given and the data syn() was
# given must agree: the families of Python's synthspectrum.core.pair.family (keep the two in
# step), in the same words.
.ss_family <- function(x) {
  if (inherits(x, "Date")) return("date")
  if (inherits(x, "POSIXt")) return("datetime")
  if (inherits(x, "difftime")) return("duration")
  if (is.logical(x)) return("boolean")
  if (is.character(x) || is.factor(x)) return("text")
  if (is.numeric(x) || inherits(x, "integer64")) return("number")
  class(x)[1]
}

.ss_family_words <- c(text = "text", boolean = "true/false values", number = "numbers", date = "dates",
                      datetime = "datetimes", duration = "durations", time = "times of day")

# The real data given with a syn() result (or a fit to one) against the families syn() was
# given (the result's $families; a result made before they were kept is not checked).
.ss_check_families <- function(real, families) {
  if (is.null(families) || !is.data.frame(real)) return(invisible(NULL))
  word <- function(f) if (f %in% names(.ss_family_words)) .ss_family_words[[f]] else f
  for (v in intersect(names(families), names(real))) {
    f <- .ss_family(real[[v]])
    if (f != families[[v]])
      .ss_stop(sprintf(paste0("column '%s' holds %s in the real data but %s in the data syn() was given: ",
                              "measure against real data of the types that were synthesised"),
                       v, word(f), word(families[[v]])))
  }
  invisible(NULL)
}

.ss_tree_methods <- c("cart", "ctree", "rf", "ranger", "bag", "survctree")
.ss_regression_methods <- c("norm", "normrank", "lognorm", "sqrtnorm", "cubertnorm", "logreg", "polyreg", "polr")

# The terms a regression of a column on `x` (the columns synthpop's predictor matrix gives it)
# has besides its intercept: one per numeric column, levels less one per category (synthpop's
# dummies; a numeric with fewer than minnumlevels values is a category to synthpop, and NA in
# a category is a level of its own); none for a constant column, which synthpop drops.
# A lower bound: synthpop may add terms (missing-value indicators), never more columns' worth.
.ss_regression_terms <- function(x, minnumlevels) {
  sum(vapply(x, function(v) {
    k <- length(unique(v[!is.na(v)]))
    if (k <= 1) return(0)
    if (is.factor(v) || is.logical(v) || (is.numeric(v) && k < minnumlevels)) return(k - 1 + anyNA(v))
    1
  }, numeric(1)))
}

# A regression on p terms from n records is no model when n <= p + 2: synthpop's norm family
# divides the residual sum of squares by n - p - 2 (NaN or Inf, so NaN synthetic values after a
# warning), and logreg, polyreg and polr fit each record exactly (polyreg then fails inside nnet
# with "subscript out of bounds"). Stop before synthpop runs, naming the first such column.
.ss_check_regressions <- function(d, setup, minnumlevels, map) {
  meth <- as.character(setup$method)
  pm <- setup$predictor.matrix
  n <- nrow(d)
  for (j in setup$visit.sequence) {
    if (!(meth[j] %in% .ss_regression_methods)) next
    preds <- colnames(pm)[pm[j, ] == 1]
    p <- .ss_regression_terms(d[preds], minnumlevels)
    if (n > p + 2) next
    .ss_stop(sprintf(paste0(
      "column '%s' cannot be synthesised by %s: its regression on the %d columns before it in the ",
      "visit sequence has %d terms (a category counts its levels less one) and the data have %d ",
      "records; a regression needs more records than terms + 2 (with fewer, synthpop's norm ",
      "methods give NaN and its logreg/polyreg/polr fit every record exactly). Synthesise fewer ",
      "columns (visit_sequence), give it fewer predictors (predictor_matrix), or use method = \"cart\"."),
      .ss_to_real(names(d)[j], map), meth[j], length(preds), p, n))
  }
}

.ss_temporal <- function(x) {
  if (inherits(x, "Date")) return(list(kind = "Date"))
  if (inherits(x, "POSIXct")) return(list(kind = "POSIXct", tz = attr(x, "tzone")))
  if (inherits(x, "difftime")) return(list(kind = "difftime", units = units(x)))
  NULL
}

# The one policy for values no model can use, in the words of Python's
# synthspectrum.core.numbers.clean_numbers (keep the two in step): past 1e15 a double no longer
# holds whole numbers exactly, and such values are nearly always codes for "unknown".
.ss_extreme <- 1e15

.ss_clean_numbers <- function(data, what = "data") {
  notes <- character()
  for (v in names(data)) {
    x <- data[[v]]
    if (!is.numeric(x) || !is.null(.ss_temporal(x))) next
    nan <- is.nan(x)
    inf <- is.infinite(x)
    big <- !is.na(x) & !inf & abs(x) >= .ss_extreme
    n_nan <- sum(nan); n_inf <- sum(inf); n_big <- sum(big)
    if (n_nan + n_inf + n_big == 0) next
    x[nan | inf | big] <- NA
    data[[v]] <- x
    if (n_nan) notes <- c(notes, sprintf("%s: %d NaN value(s) treated as missing", v, n_nan))
    if (n_inf + n_big) {
      # the value itself is not quoted: it may be a real record's
      parts <- c(if (n_inf) sprintf("%d infinite value(s)", n_inf),
                 if (n_big) sprintf("%d value(s) of magnitude >= 1e+15", n_big))
      msg <- sprintf(paste0("%s, column '%s': %s treated as missing; such values are usually codes ",
                            "for 'unknown' and would make every synthetic value absurd"),
                     what, v, paste(parts, collapse = " and "))
      warning(msg, call. = FALSE)
      notes <- c(notes, msg)
    }
  }
  list(data = data, notes = notes)
}

# Real names -> the safe names synthpop works on (a named character vector: names are the
# real names). make.names leaves ordinary names as they are, except the names synthpop gives
# columns of its own next to the data's: utility.gen's indicator `t` (a column t made its
# propensity model predict itself), disclosure's `target` and `keys`, sdc's `flag`, and, beside
# a column x, utility.gen's x_NA and x_cna_1 and syn's x.0, x.NA and x.1 (missing-value
# indicators and dummies). Those get ".ss_" in front of them (never a name synthpop makes).
.ss_reserved <- c("t", "target", "keys", "flag")
.ss_made_suffix <- "(_NA|_cna_[0-9]+|[.]0|[.]NA|[.][0-9]+)$"

.ss_name_map <- function(nm) {
  safe <- make.names(nm, unique = TRUE)
  base <- sub(.ss_made_suffix, "", safe)
  clash <- safe %in% .ss_reserved | (base != safe & base %in% safe)
  safe[clash] <- paste0(".ss_", safe[clash])
  setNames(make.unique(safe), nm)
}

.ss_to_safe <- function(x, map) {
  if (is.null(x)) return(NULL)
  x <- as.character(x)
  i <- match(x, names(map))
  x[!is.na(i)] <- map[i[!is.na(i)]]
  unname(x)
}

.ss_to_real <- function(x, map) {
  if (is.null(x)) return(NULL)
  x <- as.character(x)
  i <- match(x, map)
  x[!is.na(i)] <- names(map)[i[!is.na(i)]]
  unname(x)
}

# bit64's integer64 (what data.table's fread gives for big whole numbers) is a double vector
# holding a 64-bit integer's bits: synthpop reads those bits as a number (a "constant" column,
# copied from the real data). The values as doubles, exact within 2^53 in magnitude (NA stays
# NA); NULL when a value lies beyond. Read word by word, so that bit64 need not be loaded.
.ss_int64_limit <- 2^53

.ss_from_integer64 <- function(x) {
  n <- length(x)
  if (!n) return(numeric())
  words <- readBin(writeBin(as.vector(unclass(x), "double"), raw(), size = 8, endian = "little"),
                   "integer", n = 2 * n, size = 4, endian = "little")
  lo <- words[c(TRUE, FALSE)]
  hi <- words[c(FALSE, TRUE)]  # NA_integer_ is the word 0x80000000, -2^31
  na <- is.na(hi) & !is.na(lo) & lo == 0L  # bit64's NA is -2^63
  lo <- ifelse(is.na(lo), 2^31, ifelse(lo < 0, lo + 2^32, as.numeric(lo)))
  ok <- na | (!is.na(hi) & hi >= -2^21 & (hi < 2^21 | (hi == 2^21 & lo == 0)))
  if (!all(ok)) return(NULL)
  out <- as.numeric(hi) * 2^32 + lo
  out[na] <- NA_real_
  out
}

.ss_prepare <- function(data, maxfaclevels = 60, what = "data", map = NULL) {
  if (!is.data.frame(data)) .ss_stop(sprintf("%s must be a data.frame, got %s", what, class(data)[1]))
  if (nrow(data) == 0) .ss_stop(sprintf("%s is empty (0 rows)", what))
  dup <- anyDuplicated(names(data))
  if (dup) .ss_stop(sprintf("column '%s' appears more than once: column names must be unique",
                        names(data)[dup]))
  # the real data's row names (often identifiers) must not reach synthpop and the synthetic data
  rownames(data) <- NULL
  int64 <- character()
  int64_notes <- character()
  for (v in names(data)) {
    if (!inherits(data[[v]], "integer64")) next
    x <- .ss_from_integer64(data[[v]])
    if (is.null(x))
      .ss_stop(sprintf(paste0("%s, column '%s': 64-bit integers (integer64) of magnitude beyond 2^53, which ",
                              "no double holds exactly and no synthpop model can use. Drop the column (an ",
                              "identifier is nothing to synthesise) or recode it"), what, v))
    data[[v]] <- x
    int64 <- c(int64, v)
    msg <- sprintf(paste0("%s, column '%s': 64-bit integers (integer64) taken as numbers (doubles, exact ",
                          "within 2^53)%s"), what, v,
                   if (what != "data") "" else if (isNamespaceLoaded("bit64")) "; they come back as integer64"
                   else "; they come back as whole numbers of class numeric (bit64 is not loaded)")
    warning(msg, call. = FALSE)
    int64_notes <- c(int64_notes, msg)
  }
  cleaned <- .ss_clean_numbers(data, what)
  cleaned$notes <- c(int64_notes, cleaned$notes)
  data <- cleaned$data
  temporal <- list()
  text <- character()
  # synthpop 1.9-2 gives many integer columns back as doubles (under cart a column without NA,
  # a column synthesised as a category, norm): the twin gives them back as integers
  integer <- names(data)[vapply(data, function(x) is.integer(x) && is.null(.ss_temporal(x)), logical(1))]
  for (v in names(data)) {
    x <- data[[v]]
    tk <- .ss_temporal(x)
    if (!is.null(tk)) {
      temporal[[v]] <- tk
      # datetimes as days, not seconds: regressions on values near 1e9 can fail to converge;
      # durations in their own units (kept in tk$units), which is what as.numeric gives
      data[[v]] <- if (tk$kind == "POSIXct") as.numeric(x) / 86400
                   else if (tk$kind == "difftime") as.numeric(x, units = tk$units) else as.numeric(x)
    } else if (is.character(x)) {
      n <- length(unique(x[!is.na(x)]))
      if (n > maxfaclevels)
        .ss_stop(sprintf(paste0("column '%s': text with %d distinct values; synthpop would need a factor ",
                            "with that many levels (maxfaclevels = %d). Drop it, recode its rare ",
                            "values, or raise maxfaclevels."), v, n, maxfaclevels))
      data[[v]] <- factor(x)
      text <- c(text, v)
    } else if (!(is.numeric(x) || is.factor(x) || is.logical(x))) {
      .ss_stop(sprintf("column '%s': class %s cannot be synthesised", v, paste(class(x), collapse = "/")))
    }
  }
  if (is.null(map)) map <- .ss_name_map(names(data))
  names(data) <- .ss_to_safe(names(data), map)
  names(temporal) <- .ss_to_safe(names(temporal), map)
  list(data = data, temporal = temporal, text = .ss_to_safe(text, map), integer = .ss_to_safe(integer, map),
       int64 = .ss_to_safe(int64, map), map = map, notes = cleaned$notes)
}

# A column that went in as integer, as synthpop gave it back (integer, double, or a factor of
# its values when it was synthesised as a category), as integer again. Values a model drew
# between whole numbers (synthpop itself rounds most of its draws for whole-valued data, a
# user's own syn.<method> may not) go to the nearest one, which is what an integer column
# means; NA stays NA. A value beyond R's integer range leaves the column whole doubles.
.ss_as_integer <- function(x, v) {
  if (is.integer(x)) return(x)
  if (is.factor(x)) x <- as.numeric(as.character(x))
  if (!is.numeric(x)) return(x)
  x <- round(x)
  if (any(abs(x) > .Machine$integer.max, na.rm = TRUE)) {
    warning(sprintf(paste0("column '%s' went in as integer, but some synthetic values lie beyond R's ",
                           "integer range (+-%d): it comes back as whole numbers of class numeric"),
                    v, .Machine$integer.max), call. = FALSE)
    return(x)
  }
  as.integer(x)
}

.ss_restore <- function(df, prep) {
  for (v in intersect(names(prep$temporal), names(df))) {
    tk <- prep$temporal[[v]]
    x <- df[[v]]
    df[[v]] <- switch(tk$kind,
      Date = as.Date(round(x), origin = "1970-01-01"),
      POSIXct = as.POSIXct(x * 86400, origin = "1970-01-01", tz = if (is.null(tk$tz)) "" else tk$tz),
      difftime = as.difftime(x, units = tk$units))
  }
  for (v in intersect(prep$text, names(df))) df[[v]] <- as.character(df[[v]])
  for (v in intersect(prep$integer, names(df))) df[[v]] <- .ss_as_integer(df[[v]], .ss_to_real(v, prep$map))
  for (v in intersect(prep$int64, names(df))) {
    x <- df[[v]]
    if (is.factor(x)) x <- as.numeric(as.character(x))
    x <- round(x)
    df[[v]] <- if (isNamespaceLoaded("bit64")) bit64::as.integer64(x) else x
  }
  names(df) <- .ss_to_real(names(df), prep$map)
  rownames(df) <- NULL  # 1..n, whatever synthpop (or sdc's removed rows) left
  df
}

.ss_syn_list <- function(object) if (object$m == 1) list(object$syn) else object$syn

# Like synthpop's own $syn: one data.frame for m = 1, a list of m data.frames otherwise.
.ss_synthetic <- function(object, prep) {
  out <- lapply(.ss_syn_list(object), .ss_restore, prep = prep)
  if (object$m == 1) out[[1]] else out
}

# Arguments of syn() keyed by column (cont.na, semicont, rules, rvalues, denom, event, a
# predictor.matrix...) carry the real names: synthpop needs the safe ones.
.ss_rename_arg <- function(value, map) {
  if (is.matrix(value) && !is.null(rownames(value)) && all(rownames(value) %in% names(map))) {
    dimnames(value) <- lapply(dimnames(value), .ss_to_safe, map = map)
  } else if (!is.null(names(value)) && all(names(value) %in% names(map))) {
    names(value) <- .ss_to_safe(names(value), map)
  }
  value
}

# synthpop's polyreg method (and polr where it falls back to a multinomial model) ends with
# summary(fit), and syn() keeps that summary only with models = TRUE. For a multinom fit the
# summary computes the model's Hessian (nnet's multinomHess, an R loop over every record): 80%
# of a parametric syn() of the bundled data, thrown away. Unless models = TRUE, `expr` runs with
# nnet's summary method for multinom fits replaced, for its duration only, by one that returns
# the fit: the summary draws no random number, so the synthetic data are the same (tests compare
# them with synthpop's own call) and a parametric syn() takes a fifth of the time. nnet's method
# is put back on the way out, error or not.
.ss_without_discarded_summaries <- function(expr, keep = FALSE) {
  if (keep || !requireNamespace("nnet", quietly = TRUE)) return(expr)
  original <- getS3method("summary", "multinom")
  registerS3method("summary", "multinom", function(object, ...) object, envir = asNamespace("nnet"))
  on.exit(registerS3method("summary", "multinom", original, envir = asNamespace("nnet")), add = TRUE)
  expr
}

syn <- function(real, method = "cart", visit_sequence = NULL, smoothing = NULL,
                minnumlevels = NULL, maxfaclevels = 60, m = 1, seed = NULL,
                max_cart_levels = 20, ...) {
  m <- .ss_check_m(m)
  seed <- if (is.null(seed)) .ss_fresh_seed() else .ss_check_seed(seed)
  # synthpop's set.seed(seed) resets the user's random numbers: they are put back as they were
  # (after drawing a seed, if one was drawn) on the way out, error or not, as in Python, whose
  # random state syn() never touches
  .ss_keep_user_rng()
  prep <- .ss_prepare(real, maxfaclevels)
  families <- vapply(real, .ss_family, character(1))
  d <- prep$data
  map <- prep$map
  real_of <- function(x) .ss_to_real(x, map)
  notes <- prep$notes
  if (is.null(minnumlevels)) {
    # A number with a handful of values (a 0/1 flag, a 1-5 score) is a category in disguise:
    # parametric methods would draw values in between. synthpop's minnumlevels makes such
    # columns factors while synthesising; they come back as numbers.
    few <- names(d)[vapply(d, function(x) is.numeric(x) && length(unique(x[!is.na(x)])) <= 5, logical(1))]
    few <- setdiff(few, names(prep$temporal))
    minnumlevels <- if (length(few)) 6 else 1
    if (length(few)) {
      msg <- sprintf("column '%s' has at most 5 distinct values: synthesised as a category (minnumlevels = 6)",
                     real_of(few))
      for (w in msg) warning(w, call. = FALSE)
      notes <- c(notes, msg)
    }
  }
  vs <- if (is.null(visit_sequence)) seq_along(d) else {
    idx <- match(.ss_to_safe(visit_sequence, map), names(d))
    if (anyNA(idx)) .ss_stop(sprintf("visit_sequence names a column that is not in the data: '%s'",
                                 visit_sequence[is.na(idx)][1]))
    idx
  }
  if (length(method) > 1 || !is.null(names(method))) {
    if (is.null(names(method))) .ss_stop("a method per column must be named by column")
    bad <- setdiff(names(method), names(map))
    if (length(bad)) .ss_stop(sprintf("method names a column that is not in the data: '%s'", bad[1]))
    full <- rep("", ncol(d)); names(full) <- names(d)
    full[.ss_to_safe(names(method), map)] <- unlist(method)
    method <- unname(full)
  }
  extra <- lapply(.ss_synthpop_args(list(...), "syn"), .ss_rename_arg, map = map)
  args <- c(list(data = d, method = method, visit.sequence = vs, minnumlevels = minnumlevels,
                 maxfaclevels = maxfaclevels, print.flag = FALSE), extra)
  if (!is.null(smoothing)) args$smoothing <- .ss_rename_arg(smoothing, map)
  big <- names(d)[vapply(d, function(x) is.factor(x) && nlevels(x) > max_cart_levels, logical(1))]
  regressions <- any(as.character(method) %in% c("parametric", .ss_regression_methods))
  # Only then is synthpop's set-up (m = 0) worth its cost: it gives the methods and the
  # predictor matrix, which tell whether each regression has records enough, and in which the
  # many-level factors are switched off as predictors.
  setup <- if (length(big) || regressions) do.call(synthpop::syn, c(args, list(m = 0)))
  if (regressions) .ss_check_regressions(d, setup, minnumlevels, map)
  if (length(big)) {
    pm <- setup$predictor.matrix
    uses_trees <- setup$method %in% .ss_tree_methods
    for (v in big) {
      if (!any(pm[uses_trees, v] == 1)) next
      pm[, v] <- 0
      msg <- sprintf(paste0("column '%s' has %d levels: it is synthesised, but not used to predict other ",
                            "columns in a tree (that would try 2^%d splits)"), real_of(v), nlevels(d[[v]]),
                     nlevels(d[[v]]) - 1)
      warning(msg, call. = FALSE)
      notes <- c(notes, msg)
    }
    args$method <- setup$method
    args$visit.sequence <- setup$visit.sequence
    args$predictor.matrix <- pm
  }
  object <- .ss_without_discarded_summaries(do.call(synthpop::syn, c(args, list(m = m, seed = seed))),
                                           keep = isTRUE(args$models))
  meth <- if (is.matrix(object$method)) object$method[1, ] else object$method
  vseq <- if (is.matrix(object$visit.sequence)) object$visit.sequence[1, ] else object$visit.sequence
  copied <- names(d)[as.character(meth) == "" & names(d) %in% names(.ss_syn_list(object)[[1]])]
  if (length(copied)) {
    # synthpop keeps a column with no method as it is: real values in the synthetic data
    msg <- sprintf("column '%s' has no method: synthpop copies its REAL values into the synthetic data",
                   real_of(copied))
    for (w in msg) warning(w, call. = FALSE)
    notes <- c(notes, msg)
  }
  pm <- object$predictor.matrix
  if (!is.null(dimnames(pm))) dimnames(pm) <- lapply(dimnames(pm), real_of)
  list(synthetic = .ss_synthetic(object, prep),
       method = setNames(as.character(meth), real_of(names(d))),
       visit_sequence = real_of(names(d)[vseq]),
       predictor_matrix = pm,
       notes = notes,
       seed = seed,
       object = object,
       temporal = prep$temporal,
       text = prep$text,
       integer = prep$integer,
       int64 = prep$int64,
       families = families,
       name_map = map)
}

# The pair every measure starts from: the real data as synthpop saw the data it synthesised
# (cleaned, text as factors, safe names, the synthetic columns in their order) and the
# synthetic data as a synds object. `synthetic` is what syn() returned, a synds object, a
# data.frame or a list of data.frames; a plain frame is wrapped in a synds object as synthpop's
# own data.frame methods do (method "ok" for every column, no cont.na), after its factors and
# the real data's are given the same levels. `restore` gives synthetic frames back their
# classes and real names (sdc); `kind` says what came in.
.ss_pair <- function(real, synthetic, need = character()) {
  if (!is.data.frame(real))
    .ss_stop(sprintf("real must be the real data, a data.frame, got %s: the arguments are (real, synthetic, ...)",
                 class(real)[1]))
  if (is.list(synthetic) && !is.data.frame(synthetic) && inherits(synthetic$object, "synds")) {
    kind <- "result"
    object <- synthetic$object
    map <- synthetic$name_map
    restore <- list(temporal = synthetic$temporal, text = synthetic$text, integer = synthetic$integer,
                    int64 = synthetic$int64, map = map)
  } else if (inherits(synthetic, "synds")) {
    kind <- "synds"
    object <- synthetic
    nm <- names(.ss_syn_list(object)[[1]])
    map <- setNames(nm, nm)  # a synds object made by synthpop itself holds the names as they are
    restore <- NULL
  } else {
    kind <- if (is.data.frame(synthetic)) "frame" else "frames"
    frames <- if (is.data.frame(synthetic)) list(synthetic) else synthetic
    if (!is.list(frames) || !length(frames) || !all(vapply(frames, is.data.frame, logical(1))))
      .ss_stop(sprintf(paste0("synthetic must be what syn() returned, a synds object, a data.frame or a list ",
                          "of data.frames, got %s"), class(synthetic)[1]))
    map <- .ss_name_map(names(real))
    object <- NULL
  }
  syn_names <- if (is.null(object)) names(frames[[1]]) else .ss_to_real(names(.ss_syn_list(object)[[1]]), map)
  lacking <- setdiff(syn_names, names(real))
  if (length(lacking))
    .ss_stop(sprintf("the real data has no column '%s', which the synthetic data has", lacking[1]))
  if (kind == "result") .ss_check_families(real, synthetic$families)
  if (is.null(object)) {
    # a plain frame is the synthetic data whole, as for the Python-native measures (core.pair):
    # a real column it lacks is refused, not left out of what is measured
    lacking <- sort(setdiff(names(real), syn_names), method = "radix")
    if (length(lacking))
      .ss_stop(sprintf("the real data and synthetic data have different columns: '%s' is in only one", lacking[1]))
  }
  lacking <- setdiff(need, syn_names)
  if (length(lacking)) .ss_stop(sprintf("the synthetic data has no column '%s'", lacking[1]))
  rp <- .ss_prepare(real[syn_names], Inf, what = "real data", map = map)$data
  if (is.null(object)) {
    preps <- lapply(frames, function(f) {
      if (!identical(sort(names(f)), sort(syn_names)))
        .ss_stop("every synthetic data.frame must have the same columns")
      .ss_prepare(f[syn_names], Inf, what = "synthetic data", map = map)
    })
    restore <- preps[[1]]
    sf <- lapply(preps, `[[`, "data")
    for (v in names(rp)) {
      cols <- c(list(rp[[v]]), lapply(sf, `[[`, v))
      fac <- vapply(cols, is.factor, logical(1))
      if (any(fac) && !all(fac))
        .ss_stop(sprintf("column '%s' is a category in one of the real and synthetic data but not in the other",
                     .ss_to_real(v, map)))
      if (all(fac)) {
        lv <- unique(unlist(lapply(cols, levels)))
        rp[[v]] <- factor(as.character(rp[[v]]), levels = lv)
        for (i in seq_along(sf)) sf[[i]][[v]] <- factor(as.character(sf[[i]][[v]]), levels = lv)
      }
    }
    object <- structure(list(syn = if (length(sf) == 1) sf[[1]] else sf, m = length(sf), n = nrow(rp),
                             k = nrow(sf[[1]]), strata.syn = NULL,
                             method = setNames(rep("ok", ncol(rp)), names(rp)),
                             cont.na = setNames(as.list(rep(NA, ncol(rp))), names(rp))), class = "synds")
  }
  list(object = object, real = rp, map = map, m = object$m, restore = restore, kind = kind)
}

# The tidy shape of every measure: values is a named list (one entry per measure) of m numbers
# each; a leading `set` only for m > 1.
.ss_measures <- function(values, m, column = NA_character_) {
  out <- do.call(rbind, lapply(seq_len(m), function(i)
    data.frame(set = i, measure = names(values), column = as.character(column),
               value = vapply(values, function(v) as.numeric(v[i]), numeric(1)),
               stringsAsFactors = FALSE, row.names = NULL)))
  if (m == 1) out$set <- NULL
  out
}

.ss_per_m <- function(x, m) if (is.null(x)) rep(NA_real_, m) else as.numeric(unlist(x))

# synthpop fits its logistic propensity model with glm() and hides glm's warnings. On data
# the model (nearly) separates, glm can stop at "converged" with coefficients of 1e16 and
# propensities of exactly 0 or 1: a pMSE of 0.25 where an independent fit finds 0.005.
# glm itself warns only when a fitted probability is within 10 * .Machine$double.eps of 0
# or 1, but on a separated category it stops, "converged", with probabilities near 1e-7;
# so a probability within 1e-6 of 0 or 1 (|linear predictor| > 13.8, which no overlapping
# data give) counts here, as do coefficients beyond 1e6 and a fit that did not converge.
.ss_separation <- function(fit) {
  fits <- if (inherits(fit, "glm")) list(fit) else fit
  msgs <- character()
  for (i in seq_along(fits)) {
    f <- fits[[i]]
    if (!inherits(f, "glm")) next
    mu <- stats::fitted(f)
    at01 <- sum(mu < 1e-6 | mu > 1 - 1e-6)
    big <- suppressWarnings(max(abs(stats::coef(f)), na.rm = TRUE))
    if (at01 == 0 && big <= 1e6 && isTRUE(f$converged)) next
    msgs <- c(msgs, sprintf(paste0(
      "synthpop's logistic propensity model%s is (nearly) separated: %d of %d records have a ",
      "fitted probability of 0 or 1 and the largest coefficient (in absolute value) is %.3g%s; its pMSE, S_pMSE, ",
      "SPECKS, PO50 and U may be wrong. Check them with synthspectrum.measures.utility.utility_gen in Python ",
      "(an independent fit), or use a smaller maxorder or fewer vars"),
      if (length(fits) > 1) sprintf(" (synthetic set %d)", i) else "", at01, length(mu), big,
      if (isTRUE(f$converged)) "" else " and glm did not converge"))
  }
  msgs
}

# General utility (synthpop's utility.gen): pMSE, S_pMSE, SPECKS, PO50 and U as synthpop gives
# them, and AUC = U / (n_synthetic * n_real), U being the Mann-Whitney statistic of the
# synthetic records' propensities against the real ones'.
utility_gen <- function(real, synthetic, method = "logit", maxorder = 1, ...) {
  p <- .ss_pair(real, synthetic)
  args <- .ss_synthpop_args(list(...), "utility.gen", "utility_gen", names(formals(utility_gen)),
                            fixed = c("method", "maxorder", "print.flag"))
  if (!is.null(args$vars)) args$vars <- .ss_to_safe(args$vars, p$map)
  u <- do.call(synthpop::utility.gen, c(list(p$object, p$real, method = method, maxorder = maxorder,
                                             print.flag = FALSE), args))
  if (identical(method, "logit")) for (w in .ss_separation(u$fit)) warning(w, call. = FALSE)
  m <- p$m
  U <- .ss_per_m(u$U, m)
  k <- vapply(.ss_syn_list(p$object), nrow, numeric(1))
  .ss_measures(list(pMSE = .ss_per_m(u$pMSE, m), S_pMSE = .ss_per_m(u$S_pMSE, m),
                    SPECKS = .ss_per_m(u$SPECKS, m), PO50 = .ss_per_m(u$PO50, m), U = U,
                    AUC = U / (k * nrow(p$real))), m)
}

.ss_tab_stats <- c("pMSE", "S_pMSE", "df", "VW", "S_VW", "FT", "S_FT", "JSD", "S_JSD")

# Table utility (synthpop's utility.tab) of the cross-table of vars.
utility_tab <- function(real, synthetic, vars, ngroups = 5, ...) {
  p <- .ss_pair(real, synthetic, need = vars)
  u <- do.call(synthpop::utility.tab, c(list(p$object, p$real, vars = .ss_to_safe(vars, p$map), ngroups = ngroups,
                                             print.flag = FALSE, print.tables = FALSE),
                                        .ss_synthpop_args(list(...), "utility.tab", "utility_tab",
                                                          names(formals(utility_tab)),
                                                          fixed = c("vars", "ngroups", "print.flag",
                                                                    "print.tables"))))
  m <- p$m
  .ss_measures(setNames(lapply(.ss_tab_stats, function(s) .ss_per_m(u[[s]], m)), .ss_tab_stats), m,
               paste(vars, collapse = " x "))
}

# synthpop names a table "1.sex:2.age" (position.name, joined by ":"); the twin names it as
# utility_tab's column does, "sex x age", in real names (a safe name never starts with a digit).
.ss_table_column <- function(x, map) {
  vapply(strsplit(x, ":", fixed = TRUE), function(parts)
    paste(.ss_to_real(sub("^[0-9]+\\.", "", parts), map), collapse = " x "), character(1))
}

# utility_tab for every one-, two- or three-way table (synthpop's utility.tables): one row per
# table and statistic of tab_stats, column "a x b". For m > 1 synthpop gives each table's mean
# over the sets.
utility_tables <- function(real, synthetic, tables = "twoway", vars = NULL, ngroups = 5,
                           tab_stats = c("pMSE", "S_pMSE", "df"), ...) {
  p <- .ss_pair(real, synthetic, need = vars)
  u <- do.call(synthpop::utility.tables,
               c(list(p$object, p$real, tables = tables, vars = .ss_to_safe(vars, p$map), ngroups = ngroups,
                      tab.stats = tab_stats, plot = FALSE, print.flag = FALSE),
                 .ss_synthpop_args(list(...), "utility.tables", "utility_tables", names(formals(utility_tables)),
                                   fixed = c("tables", "vars", "ngroups", "tab.stats", "plot", "print.flag"))))
  tabs <- as.matrix(u$tabs)
  cols <- .ss_table_column(rownames(tabs), p$map)
  do.call(rbind, lapply(seq_len(nrow(tabs)), function(i)
    data.frame(measure = colnames(tabs), column = cols[i], value = as.numeric(tabs[i, ]),
               stringsAsFactors = FALSE, row.names = NULL)))
}

# synthpop's compare() pages its tables (4 variables a page): one variable gives a list of one
# table, five or more a list of pages, each a list of tables. All of them, in order, by name.
.ss_flat_tables <- function(x) {
  if (is.matrix(x) || is.table(x)) return(list(x))
  out <- list()
  for (i in seq_along(x)) {
    el <- x[[i]]
    nm <- names(x)[i]
    if (!(is.matrix(el) || is.table(el))) out <- c(out, .ss_flat_tables(el))
    else if (is.null(nm) || !nzchar(nm)) out <- c(out, list(el))
    else out[nm] <- list(el)
  }
  out
}

# synthpop's compare(): $tables, the percent of each category (or bin) of each column by source
# (column, category, source, percent), and $utility, each column's pMSE, S_pMSE and df (tidy).
compare <- function(real, synthetic, vars = NULL, ngroups = 5, breaks = 20, ...) {
  p <- .ss_pair(real, synthetic, need = vars)
  map <- p$map
  svars <- if (is.null(vars)) names(p$real) else .ss_to_safe(vars, map)
  cf <- do.call(synthpop::compare, c(list(p$object, p$real, vars = svars, ngroups = ngroups, breaks = breaks,
                                          plot = FALSE, print.flag = FALSE),
                                     .ss_synthpop_args(list(...), "compare", "compare", names(formals(compare)),
                                                       fixed = c("vars", "ngroups", "breaks", "plot",
                                                                 "print.flag"))))
  tabs <- .ss_flat_tables(cf$tables)
  if (is.null(names(tabs)) && length(tabs) == length(svars)) names(tabs) <- svars
  rows <- lapply(names(tabs), function(v) {
    t <- as.matrix(tabs[[v]])
    do.call(rbind, lapply(rownames(t), function(src)
      data.frame(column = .ss_to_real(v, map), category = colnames(t), source = src,
                 percent = as.numeric(t[src, ]), stringsAsFactors = FALSE)))
  })
  util <- as.matrix(cf$tab.utility)
  stats <- c("pMSE", "S_pMSE", "df")
  list(tables = do.call(rbind, rows),
       utility = do.call(rbind, lapply(seq_len(nrow(util)), function(i)
         data.frame(measure = stats, column = .ss_to_real(rownames(util)[i], map), value = as.numeric(util[i, stats]),
                    stringsAsFactors = FALSE, row.names = NULL))))
}

# Replicated uniques (synthpop's replicated.uniques): the counts are synthpop's; the percentage
# is of the real records, whatever the synthpop version (see the note at the top).
replicated_uniques <- function(real, synthetic, keys) {
  p <- .ss_pair(real, synthetic, need = keys)
  ru <- synthpop::replicated.uniques(p$object, p$real, keys = .ss_to_safe(keys, p$map))
  tabs <- if (p$m == 1) list(ru$res_tab) else ru$res_tab
  count <- function(row) vapply(tabs, function(t) as.numeric(t[row, 1]), numeric(1))
  replicated <- count("Replicated uniques")
  .ss_measures(list(uniques_real = count("Original"), uniques_synthetic = count("Synthetic"),
                    synthetic_uniques_in_real = count("Synthetic uniques in original"),
                    replicated_uniques = replicated,
                    replicated_uniques_percent = round(100 * replicated / nrow(p$real), 2)),
               p$m, paste(keys, collapse = " x "))
}

.ss_disclosure_measures <- c("UiO", "UiS", "UiOiS", "repU", "Dorig", "Dsyn", "iS", "DiS", "DiSCO", "DiSDiO")

.ss_disclosure <- function(p, keys, target, args) {
  d <- do.call(synthpop::disclosure, c(list(p$object, p$real, keys = .ss_to_safe(keys, p$map),
                                            target = .ss_to_safe(target, p$map), print.flag = FALSE), args))
  both <- cbind(d$ident, d$attrib)
  .ss_measures(setNames(lapply(.ss_disclosure_measures, function(s) as.numeric(both[[s]])), .ss_disclosure_measures),
               p$m, target)
}

# Identity and attribute disclosure of target from keys (synthpop's disclosure), in percent of
# the real records: UiO (unique in the real data on the keys), repU (unique and replicated),
# Dorig (target disclosed by the real data itself, the baseline), DiSCO (disclosed by the
# synthetic data, and correct), and the others of synthpop's ident and attrib tables.
disclosure <- function(real, synthetic, keys, target, ...) {
  p <- .ss_pair(real, synthetic, need = c(keys, target))
  .ss_disclosure(p, keys, target, .ss_synthpop_args(list(...), "disclosure", "disclosure", names(formals(disclosure)),
                                                     fixed = c("keys", "target", "print.flag")))
}

# disclosure for several targets (default: every column that is not a key): its rows, one
# block per target.
multi_disclosure <- function(real, synthetic, keys, targets = NULL, ...) {
  p <- .ss_pair(real, synthetic, need = c(keys, targets))
  if (is.null(targets)) targets <- setdiff(.ss_to_real(names(p$real), p$map), keys)
  args <- .ss_synthpop_args(list(...), "disclosure", "multi_disclosure", names(formals(multi_disclosure)),
                            fixed = c("keys", "target", "print.flag"))
  do.call(rbind, lapply(targets, function(tg) .ss_disclosure(p, keys, tg, args)))
}

# synthpop's sdc(): remove replicated uniques, top/bottom-code, smooth. Gives back what came in:
# a syn() result with the new synthetic data, a synds object, or the data.frame(s).
sdc <- function(real, synthetic, keys = NULL, rm_replicated_uniques = FALSE, recode_vars = NULL,
                bottom_top_coding = NULL, recode_exclude = NULL, smooth_vars = NULL, label = NULL) {
  p <- .ss_pair(real, synthetic, need = c(keys, recode_vars, smooth_vars))
  map <- p$map
  if (!is.null(label) && "flag" %in% names(map))
    .ss_stop(paste0("label adds a column 'flag', which the data have already: rename that column ",
                    "or leave label out"))
  object <- synthpop::sdc(p$object, p$real, keys = .ss_to_safe(keys, map), label = label,
                          rm.replicated.uniques = rm_replicated_uniques,
                          recode.vars = .ss_to_safe(recode_vars, map),
                          bottom.top.coding = bottom_top_coding, recode.exclude = recode_exclude,
                          smooth.vars = .ss_to_safe(smooth_vars, map))
  if (p$kind == "synds") return(object)
  frames <- .ss_synthetic(object, p$restore)
  if (p$kind != "result") return(frames)
  synthetic$object <- object
  synthetic$synthetic <- frames
  synthetic
}

# A formula in real names (`Time in A&E (mins)` ~ age) in synthpop's safe names.
.ss_rename_call <- function(e, map) {
  if (is.name(e)) {
    nm <- as.character(e)
    return(if (nm %in% names(map)) as.name(map[[nm]]) else e)
  }
  if (is.call(e) && length(e) > 1)
    for (i in 2:length(e)) if (!is.null(e[[i]])) e[[i]] <- .ss_rename_call(e[[i]], map)
  e
}

# Terms named by R from safe names ("Time.in.A.E..mins.", "age_band40-59") in real names, written
# as R writes a non-syntactic name in a term (`Time in A&E (mins)`).
.ss_terms_real <- function(terms, map) {
  changed <- map[map != names(map)]
  if (!length(changed)) return(terms)
  changed <- changed[order(-nchar(changed))]
  vapply(strsplit(terms, ":", fixed = TRUE), function(parts) {
    for (j in seq_along(parts)) {
      hit <- which(startsWith(parts[j], changed))
      if (length(hit)) {
        real <- names(changed)[hit[1]]
        shown <- if (make.names(real) == real) real else paste0("`", real, "`")
        parts[j] <- paste0(shown, substring(parts[j], nchar(changed[[hit[1]]]) + 1))
      }
    }
    paste(parts, collapse = ":")
  }, character(1))
}

# Fitted to a syn() result or a synds object: synthpop's combining rules (lm.synds, glm.synds)
# need the sizes of the real and synthetic data, which a plain frame does not carry.
.ss_fit <- function(kind, formula, synthetic, family = "binomial") {
  families <- NULL
  if (is.list(synthetic) && !is.data.frame(synthetic) && inherits(synthetic$object, "synds")) {
    object <- synthetic$object
    map <- synthetic$name_map
    families <- synthetic$families
  } else if (inherits(synthetic, "synds")) {
    object <- synthetic
    map <- NULL
  } else {
    .ss_stop(sprintf(paste0("%s_synds needs what syn() returned (or a synds object), got %s: synthpop's ",
                        "combining rules use the sizes of the real and synthetic data"), kind, class(synthetic)[1]))
  }
  formula <- stats::as.formula(formula)
  if (!is.null(map)) formula <- .ss_rename_call(formula, map)
  # do.call puts the values, not our local names, into the call that compare() re-runs
  fit <- if (kind == "lm") do.call(synthpop::lm.synds, list(formula = formula, data = object))
         else do.call(synthpop::glm.synds, list(formula = formula, family = family, data = object))
  list(fit = fit, formula = formula, kind = kind, family = family, name_map = map, families = families)
}

lm_synds <- function(formula, synthetic) .ss_fit("lm", formula, synthetic)

glm_synds <- function(formula, synthetic, family = "binomial") .ss_fit("glm", formula, synthetic, family)

# Specific utility: the same model on the real data, term by term against the synthetic fit.
compare_fit <- function(fit, real) {
  .ss_check_families(real, fit$families)
  # synthpop re-evaluates its data argument from the call: put the value itself in the call
  rp <- .ss_prepare(real, Inf, what = "real data", map = fit$name_map)$data
  cf <- do.call(synthpop::compare, list(fit$fit, rp, plot = "Z", print.coef = FALSE, return.plot = FALSE))
  obs <- cf$coef.obs
  syn <- cf$coef.syn
  terms <- rownames(obs)
  if (!is.null(fit$name_map)) terms <- .ss_terms_real(terms, fit$name_map)
  data.frame(term = terms, estimate_real = obs[, 1], se_real = obs[, 2],
             estimate_synthetic = syn[, 1], se_synthetic = syn[, 2],
             std_coef_diff = cf$coef.diff[, "Std. coef diff"], ci_overlap = as.numeric(cf$ci.overlap[[1]]),
             stringsAsFactors = FALSE, row.names = NULL)
}

# R users learn at once, not at the first call, that synthpop cannot be used (Python asks
# .ss_synthpop_status() itself and sets the option).
if (!isTRUE(getOption("synthspectrum.quiet_source"))) local({
  st <- .ss_synthpop_status()
  if (st[["state"]] != "ok") warning(st[["message"]], call. = FALSE)
})
