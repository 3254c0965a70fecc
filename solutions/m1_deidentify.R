# %% [markdown]
# # M1 De-identification and its limits (R role)
#
# The Python role de-identifies the raw A&E data with the ODI tutorial's steps and measures
# k-anonymity with the package. You measure the same thing on the same de-identified table
# with nothing but base R, and your numbers must agree with theirs.
#
# The words:
# * a QUASI-IDENTIFIER is a column that is harmless alone but, combined with others, singles
#   a person out (age band, gender, area deprivation decile, arrival date and 4-hour band,
#   hospital);
# * an EQUIVALENCE CLASS is a group of records with the same values on all of them: an
#   attacker who knows those facts about someone cannot tell the records of a class apart;
# * the table is k-ANONYMOUS when every class holds at least k records (Sweeney 2002);
# * a SAMPLE UNIQUE is a record alone in its class: whoever knows its quasi-identifiers
#   finds it, and reads its treatment and whether the patient was admitted.
#
# This module has a deliberate trap. Base R's counting tools (table(), aggregate(),
# split(), interaction()) silently leave out every record with an NA in a grouping column,
# unless they are told otherwise. deprivation_decile is missing for some patients (no fixed
# abode). A record with a missing decile is still a record an attacker can find: it belongs
# to a class of its own ("decile unknown"), as the Python side and sdcMicro count it.
#
# Work in pairs and swap driver and navigator at every numbered step. Fill in each todo(),
# run the whole file (Rscript m1_deidentify.R) and read what check("m1") says at the end.

# %%
source(system2(Sys.getenv("SYNTHSPECTRUM_BIN", "synthspectrum"), c("workshop", "r"), stdout = TRUE))

# %% Step 1: Load the de-identified data and name the quasi-identifiers
# workshop_data("deidentified") is the table the Python role's pipeline makes: factors with
# their levels, a Date, an integer decile with NAs. Look at its columns' classes and
# numbers of levels, not at its rows (str(d) would print the first records' values).
d <- workshop_data("deidentified")
print(dim(d))
print(sapply(d, function(x) class(x)[1]))
print(sapply(Filter(is.factor, d), nlevels))
qi <- c("age_band", "gender", "deprivation_decile", "arrival_time_date", "arrival_time_hour_band", "hospital")

# %% Step 2: Where are the NAs? One column first
# Count the missing deciles. Then compare table() of the decile as it is with
# table(..., useNA = "ifany"): the first has 10 cells and quietly sums to fewer than
# 10,000 records; the second has an 11th cell, <NA>.
# hint: sum(is.na(d$deprivation_decile)); table(d$deprivation_decile, useNA = "ifany")
# >>> solution
n_na_decile <- sum(is.na(d$deprivation_decile))
print(table(d$deprivation_decile))
print(table(d$deprivation_decile, useNA = "ifany"))
# <<<

# %% Step 3: The naive count of equivalence classes (the trap)
# interaction() makes one factor out of several (one level per combination that occurs,
# with drop = TRUE); table() then counts the records per class. Do it the obvious way and
# add up the class sizes: how many records did it count?
# hint: sizes_naive <- table(interaction(d[qi], drop = TRUE)); sum(sizes_naive)
# >>> solution
sizes_naive <- table(interaction(d[qi], drop = TRUE))
n_classes_naive <- length(sizes_naive)
records_naive <- sum(sizes_naive)
cat("naive count:", n_classes_naive, "classes holding", records_naive, "of", nrow(d), "records\n")
# <<<

# %% Step 4: The fix: make NA a level of its own, then count again
# addNA(x) turns x into a factor whose levels include NA, so that interaction() and
# table() keep those records (for one column, table(x, useNA = "ifany") does the same).
# From the class sizes, record: the number of classes, k (the smallest class), the number
# of sample uniques (classes of size 1) and the number of RECORDS in classes smaller than 5.
# hint: d_na <- as.data.frame(lapply(d[qi], addNA)); sizes <- table(interaction(d_na, drop = TRUE))
# hint: sum(sizes[sizes < 5]) counts records; sum(sizes < 5) would count classes
# >>> solution
d_na <- as.data.frame(lapply(d[qi], addNA))
sizes <- table(interaction(d_na, drop = TRUE))
n_classes <- length(sizes)
k <- min(sizes)
n_unique <- sum(sizes == 1)
n_below_5 <- sum(sizes[sizes < 5])
cat("with NA kept:", n_classes, "classes over", sum(sizes), "records; k =", k, ";", n_unique,
    "sample uniques;", n_below_5, "records in classes smaller than 5\n")
# <<<

# %% Step 5: How few quasi-identifiers does it take?
# Three everyday facts: the age band, the area's deprivation decile and the day of the
# visit. What share of the patients is unique on these three alone (NA kept as a value)?
# hint: the same two lines as step 4 on d[c("age_band", "deprivation_decile", "arrival_time_date")], then sum(sizes3 == 1) / nrow(d)
# >>> solution
sizes3 <- table(interaction(as.data.frame(lapply(d[c("age_band", "deprivation_decile", "arrival_time_date")], addNA)),
                            drop = TRUE))
share_unique_3 <- sum(sizes3 == 1) / nrow(d)
cat(sprintf("unique on age band + decile + date: %.1f%% of records\n", 100 * share_unique_3))
# <<<

# %% [markdown]
# ## Agree with Python, and why it matters
# The Python role's k-anonymity report counts a missing value as a value; your fixed count
# must give the same numbers (check() compares both sides with the same expected values).
# The naive count did not fail: it gave plausible, wrong numbers, and it hid exactly the
# records that are rarest (a missing postcode is itself a rare, telling fact).
#
# And the numbers themselves: after every step of the tutorial, k is 1 and almost every
# record is a sample unique. De-identified is not anonymous. The next modules publish
# records drawn from a model instead of real records with the identifying parts blurred.

# %%
check("m1")
