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
