# %% [markdown]
# # M0 Welcome and set-up check (R role)
#
# Today you and your partner make SYNTHETIC data: records drawn from a model of a real
# table instead of the real records. "All models are wrong, but some are useful" (George
# Box): a synthetic set is never the real data, so what matters is what it is for, and how
# much of the real data's information (utility) it keeps against how much it gives away
# about real people (privacy): the privacy-utility spectrum the day climbs.
#
# You are the R role: the same data and the same questions as the Python role, in R. You
# use synthpop (Nowok, Raab and Dibben), the R package that most synthetic-data practicals
# teach, and the two languages check each other's numbers. This first file answers one
# question: can the R role run on this laptop?
#
# Swap driver and navigator at every numbered step. Fill in each todo(), run the file
# (Rscript m0_welcome.R) and read what check("m0") says at the end.
#
# The line below loads the workshop's R helpers (check, todo, workshop_data, fingerprint,
# out_dir) and the R twin of the package. It asks the synthspectrum command where they are,
# so it needs the Python virtualenv's bin folder on the PATH: start R from a terminal where
# the virtualenv is active, or set SYNTHSPECTRUM_BIN (see r/workshop.R).

# %%
source(system2(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum"), c("workshop", "r"), stdout = TRUE))

# %% Step 1: Is R usable?
# If you are reading this output, R runs and found the helpers. Record whether this R is
# recent enough for the day (R 4.0 or later) as one TRUE/FALSE value.
cat(R.version.string, "\n")
# hint: getRversion() >= "4.0.0"
# >>> solution
r_ready <- getRversion() >= "4.0.0"
# <<<

# %% Step 2: Is the R role possible on this laptop?
# The R role needs synthpop from M2 on, and check() needs jsonlite (it reads the checkpoint
# files). requireNamespace() answers TRUE or FALSE without stopping: the two lines below
# ask. Read their answers and write down "yes" if the R role is possible on this laptop
# (both TRUE), "no" if not. If it is "no": Rscript -e 'install.packages("synthpop")' (it
# needs the internet; on Debian, bash setup.sh installs its dependencies first), or, today,
# work from the files the Python side writes into workshop_out/.
has_synthpop <- requireNamespace("synthpop", quietly = TRUE)
jsonlite_ready <- requireNamespace("jsonlite", quietly = TRUE)
cat("synthpop installed:", has_synthpop, "; jsonlite installed:", jsonlite_ready, "\n")
# hint: r_role is the string "yes" or "no": yes only when both answers above are TRUE
# >>> solution
r_role <- if (has_synthpop && jsonlite_ready) "yes" else "no"
# <<<
r_role_found <- if (nzchar(system.file(package = "synthpop")) && nzchar(system.file(package = "jsonlite"))) "yes" else "no"
cat("a second look (system.file) says the R role is possible here:", r_role_found, "\n")

# %% Step 3: Load the real data and check its classes
# workshop_data("train") is the day's "real" data, 5,000 de-identified A&E attendances,
# read from an .rds file written from the very table the Python role reads (a CSV would
# lose the factor levels and turn dates into text). Check the classes: categories are
# factors with their levels in a fixed order, the arrival date is a Date, admitted is
# logical. Record the number of rows, the class of arrival_time_date, and the number of
# hospitals (levels of the hospital factor): the Python role records the same three.
train <- workshop_data("train")
print(sapply(train, function(x) class(x)[1]))
# hint: nrow(train); class(train$arrival_time_date); nlevels(train$hospital)
# >>> solution
n_rows <- nrow(train)
date_type <- class(train$arrival_time_date)
n_hospitals <- nlevels(train$hospital)
# <<<

# %% [markdown]
# ## What you have now
# An answer to "can the R role run here?" and the same typed data as the Python role:
# the same levels in the same order and a real Date, so that counts, tables and
# fingerprints agree across the two languages from M1 on.

# %%
check("m0")
