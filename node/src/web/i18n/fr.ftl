# Page web de wsf — français (traduction de travail, à relire).
app-name = Forum de solidarité mondiale
skip = Aller au contenu
nav-home = Nouveautés
nav-logout = Se déconnecter
home-title = Nouveautés sur vos piliers
home-empty = Aucun enregistrement pour l'instant. Ils arrivent de vos partenaires, ou publiez-en un avec `wsf publish`.
col-when = Date
col-kind = Type
col-title = Titre
col-author = De
col-pillars = Piliers
kind-resource = Ressource
kind-practice = Bonne pratique
kind-campaign = Appel à l'action
kind-profile = Profil
kind-endorsement = Cosignature
kind-retraction = Retrait
record-title = Enregistrement
record-by = Publié par
record-published = Publié le
record-withdrawn = Retiré par son auteur.
record-cosigned = { $partners ->
    [one] Cosigné par 1 partenaire
   *[other] Cosigné par { $partners } partenaires
} et { $others ->
    [one] 1 autre organisation
   *[other] { $others } autres organisations
}
record-id = Identifiant
login-failed-title = Ce lien de connexion ne fonctionne pas
login-failed = Le lien a déjà servi ou date de plus d'une minute. Lancez `wsf ui` pour en obtenir un nouveau.
login-needed-title = Connectez-vous
login-needed = Ouvrez cette page avec le lien que `wsf ui` affiche ou ouvre ; il vous connecte dans ce navigateur.
not-found-title = Introuvable
not-found = Cette page ou cet enregistrement n'existe pas ici.
language = Langue
next-page = Plus anciens
nav-publish = Publier un appel
publish-title = Publier un appel à l'action
field-title = Titre
field-action = Type d'action
field-call = Que doivent faire les gens ?
field-online = On participe en ligne
field-place = Lieu (sauf en ligne)
field-description = Plus de détails
field-starts = Début le
field-ends = Fin le
field-url = Adresse web
field-pillars = Piliers
action-online-campaign = Campagne en ligne
action-seminar = Séminaire
action-fundraising = Collecte de fonds
action-advocacy = Plaidoyer
action-awareness-event = Sensibilisation
action-other = Autre
form-errors = Veuillez corriger les champs signalés.
review-button = Vérifier avant de publier
review-title = Vérifiez ce qui sera publié
review-intro = Voici exactement ce que votre organisation va signer et envoyer à chaque partenaire de ces piliers. Impossible de l'annuler ; on pourra seulement le corriger ou le retirer.
sign-button = Signer et publier
edit-button = Modifier
published-title = Publié
published = Votre appel est signé, enregistré et en route vers vos partenaires.
cosign-title = Cosigner
cosign-statement = Une courte déclaration de votre organisation (facultatif)
cosign-button = Cosigner au nom de notre organisation
withdraw-title = Retirer
withdraw-intro = Chaque nœud supprime cet enregistrement et les versions qu'il remplaçait. C'est définitif.
withdraw-reason = Pourquoi (publié avec le retrait ; facultatif)
withdraw-confirm = Oui, le retirer de tous les nœuds
withdraw-button = Retirer
withdraw-confirm-needed = Cochez la case de confirmation pour retirer l'enregistrement.
cosigners-partners = Cosigné par vos partenaires
cosigners-others = Cosigné par d'autres organisations
cosigners-earlier = N'ont cosigné qu'une version antérieure
record-history = Versions antérieures
