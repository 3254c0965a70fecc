# synthspectrum, the R twin.
#
# The same functions, with the same names and arguments, as Python's synthspectrum.synthpop,
# thin over synthpop. They return plain lists and data.frames, so that results look the same
# from R and from Python (which loads this very file through rpy2).
#
#   source("r/synthspectrum.R")
#   res <- syn(real, method = "cart", seed = 1)
#   utility_gen(res, real, method = "logit")
#
# What syn() does beyond synthpop::syn():
# * a column left without a method is copied by synthpop from the real data: a warning says so;
# * a numeric column with at most 5 distinct values is synthesised as a category (unless
#   minnumlevels is given), with a warning; it comes back as numbers;
# * dates, datetimes and durations are synthesised as numbers (dates and datetimes as days since
#   1970, durations as seconds) and come back as dates, datetimes and durations (synthpop
#   cannot model them);
# * a text column with more distinct values than maxfaclevels stops with a message naming it
#   (synthpop would make it a factor with that many levels);
# * a factor with more than max_cart_levels levels is still synthesised, but never used to
#   predict another column in a tree (CART and friends try 2^(k-1) splits: a 27-level factor
#   took 328 s as a predictor, a 33-level one hours); a warning names it.
# Seeds: the same seed gives the same synthetic data.

.ss_tree_methods <- c("cart", "ctree", "rf", "ranger", "bag", "survctree")

.ss_temporal <- function(x) {
  if (inherits(x, "Date")) return(list(kind = "Date"))
  if (inherits(x, "POSIXct")) return(list(kind = "POSIXct", tz = attr(x, "tzone")))
  if (inherits(x, "difftime")) return(list(kind = "difftime", units = units(x)))
  NULL
}

.ss_prepare <- function(data, maxfaclevels = 60) {
  if (!is.data.frame(data)) stop("data must be a data.frame", call. = FALSE)
  if (nrow(data) == 0) stop("data is empty (0 rows)", call. = FALSE)
  temporal <- list()
  for (v in names(data)) {
    x <- data[[v]]
    tk <- .ss_temporal(x)
    if (!is.null(tk)) {
      temporal[[v]] <- tk
      # datetimes as days, not seconds: regressions on values near 1e9 can fail to converge
      data[[v]] <- if (tk$kind == "POSIXct") as.numeric(x) / 86400 else as.numeric(x)
    } else if (is.character(x)) {
      n <- length(unique(x[!is.na(x)]))
      if (n > maxfaclevels)
        stop(sprintf(paste0("column '%s': text with %d distinct values; synthpop would need a factor ",
                            "with that many levels (maxfaclevels = %d). Drop it, recode its rare ",
                            "values, or raise maxfaclevels."), v, n, maxfaclevels), call. = FALSE)
      data[[v]] <- factor(x)
    } else if (!(is.numeric(x) || is.factor(x) || is.logical(x))) {
      stop(sprintf("column '%s': class %s cannot be synthesised", v, paste(class(x), collapse = "/")),
           call. = FALSE)
    }
  }
  list(data = data, temporal = temporal)
}

.ss_restore <- function(df, temporal) {
  for (v in names(temporal)) {
    tk <- temporal[[v]]
    x <- df[[v]]
    df[[v]] <- switch(tk$kind,
      Date = as.Date(round(x), origin = "1970-01-01"),
      POSIXct = as.POSIXct(x * 86400, origin = "1970-01-01", tz = if (is.null(tk$tz)) "" else tk$tz),
      difftime = as.difftime(x, units = "secs"))
  }
  df
}

.ss_syn_list <- function(object) if (object$m == 1) list(object$syn) else object$syn

syn <- function(data, method = "cart", visit_sequence = NULL, smoothing = NULL,
                minnumlevels = NULL, maxfaclevels = 60, m = 1, seed = NULL,
                max_cart_levels = 20, ...) {
  prep <- .ss_prepare(data, maxfaclevels)
  d <- prep$data
  notes <- character()
  if (is.null(minnumlevels)) {
    # A number with a handful of values (a 0/1 flag, a 1-5 score) is a category in disguise:
    # parametric methods would draw values in between. synthpop's minnumlevels makes such
    # columns factors while synthesising; they come back as numbers.
    few <- names(d)[vapply(d, function(x) is.numeric(x) && length(unique(x[!is.na(x)])) <= 5, logical(1))]
    few <- setdiff(few, names(prep$temporal))
    minnumlevels <- if (length(few)) 6 else 1
    if (length(few)) {
      msg <- sprintf("column '%s' has at most 5 distinct values: synthesised as a category (minnumlevels = 6)", few)
      for (w in msg) warning(w, call. = FALSE)
      notes <- c(notes, msg)
    }
  }
  vs <- if (is.null(visit_sequence)) seq_along(d) else {
    idx <- match(visit_sequence, names(d))
    if (anyNA(idx)) stop(sprintf("visit_sequence names a column that is not in the data: '%s'",
                                 visit_sequence[is.na(idx)][1]), call. = FALSE)
    idx
  }
  if (length(method) > 1 || !is.null(names(method))) {
    if (is.null(names(method))) stop("a method per column must be named by column", call. = FALSE)
    bad <- setdiff(names(method), names(d))
    if (length(bad)) stop(sprintf("method names a column that is not in the data: '%s'", bad[1]), call. = FALSE)
    full <- rep("", ncol(d)); names(full) <- names(d)
    full[names(method)] <- unlist(method)
    method <- unname(full)
  }
  seed_arg <- if (is.null(seed)) "sample" else seed
  args <- list(data = d, method = method, visit.sequence = vs, minnumlevels = minnumlevels,
               maxfaclevels = maxfaclevels, print.flag = FALSE, ...)
  if (!is.null(smoothing)) args$smoothing <- smoothing
  big <- names(d)[vapply(d, function(x) is.factor(x) && nlevels(x) > max_cart_levels, logical(1))]
  if (length(big)) {
    # Only then is synthpop's set-up (m = 0) worth its cost: it gives the methods and the
    # predictor matrix, in which the many-level factors are then switched off as predictors.
    setup <- do.call(synthpop::syn, c(args, list(m = 0)))
    pm <- setup$predictor.matrix
    uses_trees <- setup$method %in% .ss_tree_methods
    for (v in big) {
      if (!any(pm[uses_trees, v] == 1)) next
      pm[, v] <- 0
      msg <- sprintf(paste0("column '%s' has %d levels: it is synthesised, but not used to predict other ",
                            "columns in a tree (that would try 2^%d splits)"), v, nlevels(d[[v]]),
                     nlevels(d[[v]]) - 1)
      warning(msg, call. = FALSE)
      notes <- c(notes, msg)
    }
    args$method <- setup$method
    args$visit.sequence <- setup$visit.sequence
    args$predictor.matrix <- pm
  }
  object <- do.call(synthpop::syn, c(args, list(m = m, seed = seed_arg)))
  meth <- if (is.matrix(object$method)) object$method[1, ] else object$method
  vseq <- if (is.matrix(object$visit.sequence)) object$visit.sequence[1, ] else object$visit.sequence
  copied <- names(d)[as.character(meth) == "" & names(d) %in% names(.ss_syn_list(object)[[1]])]
  if (length(copied)) {
    # synthpop keeps a column with no method as it is: real values in the synthetic data
    msg <- sprintf("column '%s' has no method: synthpop copies its REAL values into the synthetic data", copied)
    for (w in msg) warning(w, call. = FALSE)
    notes <- c(notes, msg)
  }
  synthetic <- lapply(.ss_syn_list(object), .ss_restore, temporal = prep$temporal)
  list(synthetic = synthetic,
       method = setNames(as.character(meth), names(d)),
       visit_sequence = names(d)[vseq],
       predictor_matrix = object$predictor.matrix,
       notes = notes,
       object = object,
       temporal = prep$temporal)
}

.ss_real <- function(result, data) {
  prep <- .ss_prepare(data, maxfaclevels = Inf)
  prep$data
}

.ss_per_m <- function(x, m) if (is.null(x)) rep(NA_real_, m) else as.numeric(unlist(x))

utility_gen <- function(result, data, method = "logit", maxorder = 1, ...) {
  object <- result$object
  u <- synthpop::utility.gen(object, .ss_real(result, data), method = method, maxorder = maxorder,
                             print.flag = FALSE, ...)
  m <- object$m
  data.frame(m = seq_len(m), pMSE = .ss_per_m(u$pMSE, m), S_pMSE = .ss_per_m(u$S_pMSE, m),
             SPECKS = .ss_per_m(u$SPECKS, m), PO50 = .ss_per_m(u$PO50, m), U = .ss_per_m(u$U, m),
             df = rep(.ss_per_m(u$df, 1)[1], m))
}

utility_tab <- function(result, data, vars, ngroups = 5, ...) {
  object <- result$object
  u <- synthpop::utility.tab(object, .ss_real(result, data), vars = vars, ngroups = ngroups,
                             print.flag = FALSE, print.tables = FALSE, ...)
  m <- object$m
  data.frame(m = seq_len(m), pMSE = .ss_per_m(u$pMSE, m), S_pMSE = .ss_per_m(u$S_pMSE, m),
             df = .ss_per_m(u$df, m), VW = .ss_per_m(u$VW, m), S_VW = .ss_per_m(u$S_VW, m),
             FT = .ss_per_m(u$FT, m), S_FT = .ss_per_m(u$S_FT, m), JSD = .ss_per_m(u$JSD, m),
             S_JSD = .ss_per_m(u$S_JSD, m))
}

utility_tables <- function(result, data, tables = "twoway", vars = NULL, ngroups = 5,
                           tab_stats = c("pMSE", "S_pMSE", "df"), ...) {
  object <- result$object
  u <- synthpop::utility.tables(object, .ss_real(result, data), tables = tables, vars = vars,
                                ngroups = ngroups, tab.stats = tab_stats, plot = FALSE,
                                print.flag = FALSE, ...)
  tabs <- as.data.frame(u$tabs)
  data.frame(table = rownames(u$tabs), tabs, row.names = NULL, check.names = FALSE,
             stringsAsFactors = FALSE)
}

compare <- function(result, data, vars = NULL, ngroups = 5, breaks = 20, ...) {
  object <- result$object
  real <- .ss_real(result, data)
  if (is.null(vars)) vars <- names(real)
  cf <- synthpop::compare(object, real, vars = vars, ngroups = ngroups, breaks = breaks,
                          plot = FALSE, print.flag = FALSE, ...)
  tabs <- cf$tables
  if (length(vars) == 1) { tabs <- list(tabs); names(tabs) <- vars }
  rows <- lapply(names(tabs), function(v) {
    t <- tabs[[v]]
    do.call(rbind, lapply(rownames(t), function(src)
      data.frame(variable = v, value = colnames(t), source = src, percent = as.numeric(t[src, ]),
                 stringsAsFactors = FALSE)))
  })
  util <- cf$tab.utility
  list(tables = do.call(rbind, rows),
       utility = data.frame(variable = rownames(util), pMSE = util[, "pMSE"], S_pMSE = util[, "S_pMSE"],
                            df = util[, "df"], stringsAsFactors = FALSE, row.names = NULL))
}

replicated_uniques <- function(result, data, keys) {
  object <- result$object
  ru <- synthpop::replicated.uniques(object, .ss_real(result, data), keys = keys)
  tabs <- if (object$m == 1) list(ru$res_tab) else ru$res_tab
  do.call(rbind, lapply(seq_along(tabs), function(i) {
    t <- tabs[[i]]
    data.frame(m = i, measure = rownames(t), number = t[, 1], from_total = t[, 2], percent = t[, 3],
               stringsAsFactors = FALSE, row.names = NULL)
  }))
}

disclosure <- function(result, data, keys, target, ...) {
  object <- result$object
  d <- synthpop::disclosure(object, .ss_real(result, data), keys = keys, target = target,
                            print.flag = FALSE, ...)
  ident <- data.frame(m = seq_len(nrow(d$ident)), d$ident, row.names = NULL)
  attrib <- data.frame(m = seq_len(nrow(d$attrib)), d$attrib, row.names = NULL)
  list(ident = ident, attrib = attrib)
}

multi_disclosure <- function(result, data, keys, targets = NULL, ...) {
  object <- result$object
  real <- .ss_real(result, data)
  if (is.null(targets)) targets <- setdiff(names(real), keys)
  rows <- lapply(targets, function(tg) {
    d <- disclosure(result, data, keys = keys, target = tg, ...)
    data.frame(target = tg, d$ident, d$attrib[, -1, drop = FALSE], row.names = NULL)
  })
  do.call(rbind, rows)
}

sdc <- function(result, data, keys = NULL, rm_replicated_uniques = FALSE, recode_vars = NULL,
                bottom_top_coding = NULL, recode_exclude = NULL, smooth_vars = NULL, label = NULL) {
  object <- synthpop::sdc(result$object, .ss_real(result, data), keys = keys, label = label,
                          rm.replicated.uniques = rm_replicated_uniques, recode.vars = recode_vars,
                          bottom.top.coding = bottom_top_coding, recode.exclude = recode_exclude,
                          smooth.vars = smooth_vars)
  result$object <- object
  result$synthetic <- lapply(.ss_syn_list(object), .ss_restore, temporal = result$temporal)
  result
}

.ss_fit <- function(kind, formula, result, family = "binomial") {
  formula <- stats::as.formula(formula)
  # do.call puts the values, not our local names, into the call that compare() re-runs
  fit <- if (kind == "lm") do.call(synthpop::lm.synds, list(formula = formula, data = result$object))
         else do.call(synthpop::glm.synds, list(formula = formula, family = family, data = result$object))
  list(fit = fit, formula = formula, kind = kind, family = family)
}

lm_synds <- function(formula, result) .ss_fit("lm", formula, result)

glm_synds <- function(formula, result, family = "binomial") .ss_fit("glm", formula, result, family)

compare_fit <- function(fit, data) {
  # synthpop re-evaluates its data argument from the call: put the value itself in the call
  real <- .ss_prepare(data, Inf)$data
  cf <- do.call(synthpop::compare, list(fit$fit, real, plot = "Z", print.coef = FALSE, return.plot = FALSE))
  obs <- cf$coef.obs
  syn <- cf$coef.syn
  data.frame(term = rownames(obs), estimate_real = obs[, 1], se_real = obs[, 2],
             estimate_synthetic = syn[, 1], se_synthetic = syn[, 2],
             std_coef_diff = cf$coef.diff[, "Std. coef diff"], ci_overlap = as.numeric(cf$ci.overlap[[1]]),
             stringsAsFactors = FALSE, row.names = NULL)
}
