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
nav-publish = Publish a campaign call
publish-title = Publish a campaign call
field-title = Title
field-action = Kind of action
field-call = What should people do?
field-online = People take part online
field-place = Place (unless online)
field-description = More about it
field-starts = Starts on
field-ends = Ends on
field-url = Web address
field-pillars = Pillars
action-online-campaign = Online campaign
action-seminar = Seminar
action-fundraising = Fundraising
action-advocacy = Advocacy
action-awareness-event = Awareness event
action-other = Other
form-errors = Please correct the marked fields.
review-button = Review before publishing
review-title = Check what will be published
review-intro = This is exactly what your organisation will sign and send to every partner on these pillars. It cannot be unsent; it can only be corrected or withdrawn later.
sign-button = Sign and publish
edit-button = Change it
published-title = Published
published = Your campaign call is signed, stored and on its way to your partners.
cosign-title = Co-sign
cosign-statement = A short statement from your organisation (optional)
cosign-button = Co-sign in our organisation's name
withdraw-title = Withdraw
withdraw-intro = Every node drops this record and the versions it replaced. This cannot be undone.
withdraw-reason = Why (published with the withdrawal; optional)
withdraw-confirm = Yes, withdraw it on every node
withdraw-button = Withdraw
withdraw-confirm-needed = Tick the confirmation box to withdraw the record.
cosigners-partners = Co-signed by your partners
cosigners-others = Co-signed by other organisations
cosigners-earlier = Co-signed an earlier version only
record-history = Earlier versions
