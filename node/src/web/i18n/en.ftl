# wsf web page — English (the reference text).
app-name = World Solidarity Forum
skip = Skip to the content
nav-home = What's new
nav-label = Main menu
nav-search = Search
nav-profile = Our profile
nav-partners = Partners
nav-network = Network
nav-carry = Export and import
language-button = Change
nav-logout = Log out
home-title = What's new on your pillars
home-empty = No records yet. They arrive from your partners as soon as you are connected, or publish one yourself.
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
nav-publish = Publish
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
published = Published: signed in your organisation's name, stored, and on its way to your partners.
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
field-type = Type
field-summary = Summary
field-body = Text
field-language = Language of the text
field-license = Licence
field-approach = What was done
field-context = Context
field-country = Country
field-region = Region
field-challenge = The problem faced
field-outcome = What came of it
field-lessons = Lessons learned
field-target = Addressed to
field-statement = Statement
field-reason = Reason
field-name = Name
field-website = Web site
field-countries = Countries
field-contact = Contact

## Publishing forms
publish-kinds = What to publish
publish-campaign = Publish a campaign call
publish-resource = Share a resource
publish-practice = Share a good practice
publish-profile = Our organisation's profile
correct-title = Correct a record
correct-intro = The new version replaces this one on every node; co-signatures of the old text stay with the old text.
correct-not-own = Only your organisation's own resources, practices, campaign calls and profile can be corrected here.
correct-button = Correct it
review-correction = It replaces the current version.
form-required = This field is required.
form-required-mark = required
form-not-date = Not a date (use year-month-day).
form-choose = Choose one of the options.
form-place-needed = Give a place, or tick "People take part online".
form-pillar-needed = Choose at least one pillar.
type-guide = Guide
type-report = Report
type-toolkit = Toolkit
type-link = Link
type-other = Other
field-campaign-description = More about it
field-profile-description = About the organisation
hint-profile-countries = Separate them with commas.
hint-resource-language = A language code such as en, fr, ar or pt-BR.

## Browsing and search
upcoming-title = Campaign calls open now or coming
records-title = Newest records
cosigned-by = Co-signed by
and-more = { $n ->
    [one] and 1 more
   *[other] and { $n } more
}
from-date = from
until-date = until
no-dates = no dates given
place-online = online
filter-title = Filter
filter-all = All
filter-default-kinds = Resources, practices and campaign calls
filter-author-hint = A partner's name, or the start of a key.
filter-since = Published from
filter-until = Published until
filter-button = Show
filter-clear = Clear the filters
filter-bad-kind = Unknown kind.
home-empty-filtered = No record matches these filters.
search-title = Search
search-words = Words to find
search-hint = Every word must appear, in the title or the text, in any script. Case and accents do not matter.
search-button = Search
search-none = Nothing found.
state-expired = expired
state-ended = ended
live-new = New:
live-lagged = Many records arrived at once; reload the page to see them all.
first-run-title = You are not in a network yet
first-run-text = To work with partners in a closed network, paste the invite code a partner gave you.
first-run-link = Join a network

## Who said it (the trust markers)
author-you = you
author-partner = partner
author-blocked = blocked
author-unverified = unverified
author-unknown = unknown author
author-vouched = { $n ->
    [one] vouched for by 1 partner
   *[other] vouched for by { $n } partners
}
author-clash = name clash

## Record page
record-key = Key fingerprint
record-refs = Refers to
record-lookalikes = { $n ->
    [one] 1 other organisation has a name that looks like this one
   *[other] { $n } other organisations have names that look like this one
}
ref-missing = not on this node
add-partner-link = Add this organisation as a partner

## Partners
partners-title = Partners
partners-intro = Partners are organisations your organisation knows and trusts. Their names are the ones you give them; their records and co-signatures are marked as theirs.
partners-none = No partners yet. Add one from any of its records, or with its key below.
partners-name = Name on this node
partners-key = Key
partners-status = Status
partners-actions = Actions
status-partner = partner
status-blocked = blocked
partners-remove = Remove
partners-add-title = Add a partner
partners-key-hint = The organisation's key (64 hexadecimal characters), or its start if only one matches.
partners-name-hint = Optional: how this organisation is called on this node (otherwise the name from its profile).
partners-add = Add as partner
partner-done-add = Added as a partner.
partner-done-remove = Removed from the list.
partner-done-block = { $deleted ->
    [one] Blocked; 1 of its records was deleted.
   *[other] Blocked; { $deleted } of its records were deleted.
}
block-title = Block an organisation
block-intro = Its records are deleted here and never accepted again.
block-confirm = Yes, block it and delete its records
block-button = Block
block-confirm-needed = Tick the confirmation box to block.
policy-title = What this node accepts
policy-accept = Accept records from
policy-open = everyone (within the quota)
policy-partners = partners, and organisations that enough partners co-signed
policy-trust = Partner co-signatures needed
policy-quota = Records per organisation per hour
policy-save = Save
policy-numbers = Give whole numbers of at least 1.
policy-saved = Saved.

## Network
network-title = Network
network-which = Network
network-closed = closed network
network-public = the public network
network-peer-id = This node's peer id
network-listen = Listening on
network-pillars = Pillars followed
network-records = Records held
network-digest = Digest of the records
network-digest-hint = Two nodes that hold the same records show the same digest.
peers-title = Connected peers
peers-none = No peer is connected.
peers-id = Peer
peers-address = Address
peers-pillars = Pillars
peers-mesh = Exchanging on
sync-button = Catch up with every peer now
sync-none = No peer is connected.
sync-done = { $sessions } catch-up sessions: { $stored } records received, { $pushed } sent, { $failed } failed.
dial-title = Connect to a peer
dial-address = Address
dial-hint = A multiaddress such as /ip4/192.0.2.7/tcp/7654/p2p/12D3…
dial-button = Connect
dial-bad-address = Not an address
dial-done = Connected to
dial-timeout = No connection within 20 seconds.
invite-title = Invite a partner
invite-made = Invite made, valid until
invite-qr-alt = QR code of the invite code
invite-code = Invite code
invite-warning = Whoever has this code can join while the invite is open: give it only to the partner, over a channel you trust. It does not carry the network's key: this node gives the key to whoever uses the code, so keep it running. On their machine: wsf join CODE, or this page's "Join a network".
invite-days-label = Valid for (days)
invite-button = Make an invite
invite-days = Give a number of days from 1 to 365.
join-title = Join a network
join-intro = Paste the invite code a partner gave you. The node then restarts on that network, connects to the partner and catches up; the inviter becomes your first partner.
join-code = Invite code
join-button = Join
join-already = This node is on a closed network already; a node belongs to one network (use another data directory for another).
join-bad-code = This invite code does not work
join-done-title = Joined
join-done = The node is restarting on the network. Open the Network page in a few seconds to see its peers. Network:
network-create-hint = To start a new closed network instead, run `wsf network create NAME` with the node stopped.

## Export and import
carry-title = Export and import
carry-intro = Bundles carry records where the network does not reach: on a USB stick, by e-mail, as a backup. Every record in a bundle is signed; an import checks each one as if it came from a peer.
export-title = Export a bundle
export-intro = { $n ->
    [one] This node holds 1 record.
   *[other] This node holds { $n } records.
}
export-pillars = Only these pillars (none ticked: all)
export-button = Download the bundle
import-title = Import a bundle
import-intro = Records already here are skipped; forged, damaged or refused ones are counted and not kept.
import-file = Bundle file
import-passphrase = Passphrase of an encrypted bundle
import-passphrase-hint = Leave it empty for a plain bundle.
import-progress = Upload
import-button = Import
import-no-file = Choose a bundle file.
import-done = Imported
import-stored = { $n ->
    [one] 1 record kept
   *[other] { $n } records kept
}
import-duplicate = { $n ->
    [one] 1 already here
   *[other] { $n } already here
}
import-expired = { $n ->
    [one] 1 expired
   *[other] { $n } expired
}
import-rejected = { $n ->
    [one] 1 refused:
   *[other] { $n } refused:
}

## Panic
panic-title = Erase this node
panic-link = Erase everything on this computer now (panic)
panic-intro = This destroys the key of this data directory and deletes its files, then stops the node. It cannot be undone. Your records stay on your partners' nodes.
panic-encrypted = This data directory is encrypted: once its key is destroyed, nothing left of it can be read, even from the disk.
panic-plain = This data directory is NOT encrypted: its files are deleted, but the disk may still hold readable copies.
panic-confirm = Yes, erase this node now
panic-type = To confirm, type the word
panic-word = erase
panic-button = Erase now
panic-confirm-needed = Tick the box and type the word to erase.

unlock-title = Unlock this node
unlock-intro = This node's data is encrypted. Type its passphrase to open it; until then nothing is shared and nothing can be read.
unlock-passphrase = Passphrase
unlock-button = Unlock
unlock-wrong = Wrong passphrase. Nothing was changed.
unlock-empty = Type the passphrase.
unlock-busy = A passphrase is being checked; wait a moment and try again.
unlock-first = The node is locked: unlock it first.
unlock-start-failed = The passphrase was right, but the node could not start:
invite-uses-label = How many organisations may join with it
invite-uses-bad = Give a number of organisations from 1 to 1,000.
members-title = Members
members-intro = Every member was welcomed by another member. Nodes accept connections only from the nodes of current members.
members-not-gated = Not enforced yet: this network was made before membership existed. An admin's key change ends the migration.
members-one-admin = Name a second admin, so that one seized laptop does not end the network.
members-member = Member
members-invited-by = Invited by
members-since = Since
members-role = Role
members-actions = Actions
members-you = you
members-founded = founded the network
members-before = member before membership existed
members-founder = founder
members-admin = admin
members-make-admin = Make admin
members-remove = Remove
members-removed-title = Former members
members-left = left
members-removed-by = removed by
members-epoch = Network key epoch:
members-done-admin = Done: the member is now an admin.
members-done-remove = Removed: its nodes are refused from now on. Change the key now, so that its copy of the old key stops working when the grace period ends.
members-done-leave = This organisation left the network; the other nodes refuse this node from now on.
members-done-rekey = New key made and sealed to every member. Online nodes switch within seconds; members offline for the whole grace period must be invited again.
rekey-title = Change the network's key
rekey-intro = A new key, readable only by the current members. Records and history stay. The old key is still accepted for the days below, then refused.
rekey-days = Old key accepted for (days)
rekey-button = Change the key
rekey-days-bad = Give a number of days from 1 to 90.
leave-title = Leave the network
leave-confirm = I understand: the other nodes will refuse this node; only a new invite brings it back.
leave-button = Leave the network
leave-unconfirmed = Tick the box to confirm that this organisation leaves.
peers-relayed = relayed
