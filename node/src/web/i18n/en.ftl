# wsf web page — English (the reference text).
app-name = World Solidarity Forum
skip = Skip to the content
nav-home = What's new
nav-logout = Log out
home-title = What's new on your pillars
home-empty = No records yet. They arrive from your partners, or publish one with `wsf publish`.
col-when = When
col-kind = Kind
col-title = Title
col-author = From
col-pillars = Pillars
kind-resource = Resource
kind-practice = Good practice
kind-campaign = Campaign call
kind-profile = Profile
kind-endorsement = Co-signature
kind-retraction = Withdrawal
record-title = Record
record-by = Published by
record-published = Published
record-withdrawn = Withdrawn by its author.
record-cosigned = { $partners ->
    [one] Co-signed by 1 partner
   *[other] Co-signed by { $partners } partners
} and { $others ->
    [one] 1 other organisation
   *[other] { $others } other organisations
}
record-id = Record id
login-failed-title = This login link does not work
login-failed = The link was used already or is more than a minute old. Run `wsf ui` again for a new one.
login-needed-title = Please log in
login-needed = Open this page with the link `wsf ui` prints or opens; it logs you in on this browser.
not-found-title = Not found
not-found = There is no such page or record here.
language = Language
next-page = Older records
