# Page web de wsf — français (traduction de travail, à relire).
app-name = Forum de solidarité mondiale
skip = Aller au contenu
nav-home = Nouveautés
nav-label = Menu principal
nav-search = Rechercher
nav-profile = Notre profil
nav-partners = Partenaires
nav-network = Réseau
nav-carry = Exporter et importer
language-button = Changer
nav-logout = Se déconnecter
home-title = Nouveautés sur vos piliers
home-empty = Aucun enregistrement pour l'instant. Ils arrivent de vos partenaires dès que la connexion est établie ; vous pouvez aussi en publier un vous-même.
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
    [0] Cosigné par aucun partenaire
    [one] Cosigné par { $partners } partenaire
   *[other] Cosigné par { $partners } partenaires
} et { $others ->
    [0] aucune autre organisation
    [one] { $others } autre organisation
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
nav-publish = Publier
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
published = Publié : signé au nom de votre organisation, enregistré et en route vers vos partenaires.
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
field-type = Type
field-summary = Résumé
field-body = Texte
field-language = Langue du texte
field-license = Licence
field-approach = Ce qui a été fait
field-context = Contexte
field-country = Pays
field-region = Région
field-challenge = Le problème rencontré
field-outcome = Résultat
field-lessons = Leçons apprises
field-target = Destinataire
field-statement = Déclaration
field-reason = Raison
field-name = Nom
field-website = Site web
field-countries = Pays
field-contact = Contact

## Formulaires de publication
publish-kinds = Que publier ?
publish-campaign = Publier un appel à l'action
publish-resource = Partager une ressource
publish-practice = Partager une bonne pratique
publish-profile = Le profil de notre organisation
correct-title = Corriger un enregistrement
correct-intro = La nouvelle version remplace celle-ci sur chaque nœud ; les cosignatures de l'ancien texte restent attachées à l'ancien texte.
correct-not-own = Vous ne pouvez corriger ici que les ressources, bonnes pratiques, appels à l'action et le profil de votre propre organisation.
correct-button = Corriger
review-correction = Cette version remplace la version actuelle.
form-required = Ce champ est obligatoire.
form-required-mark = obligatoire
form-not-date = Ce n'est pas une date (utilisez le format année-mois-jour).
form-choose = Choisissez l'une des options.
form-place-needed = Indiquez un lieu, ou cochez « On participe en ligne ».
form-pillar-needed = Choisissez au moins un pilier.
type-guide = Guide
type-report = Rapport
type-toolkit = Boîte à outils
type-link = Lien
type-other = Autre
field-campaign-description = Plus de détails
field-profile-description = À propos de l'organisation
hint-profile-countries = Séparez-les par des virgules.
hint-resource-language = Un code de langue comme en, fr, ar ou pt-BR.

## Consultation et recherche
upcoming-title = Appels à l'action en cours ou à venir
records-title = Enregistrements les plus récents
cosigned-by = Cosigné par
and-more = { $n ->
    [one] et { $n } autre
   *[other] et { $n } autres
}
from-date = à partir du
until-date = jusqu'au
no-dates = aucune date indiquée
place-online = en ligne
filter-title = Filtrer
filter-all = Tous
filter-default-kinds = Ressources, bonnes pratiques et appels à l'action
filter-author-hint = Le nom d'un partenaire, ou le début d'une clé.
filter-since = Publiés à partir du
filter-until = Publiés jusqu'au
filter-button = Afficher
filter-clear = Effacer les filtres
filter-bad-kind = Type inconnu.
home-empty-filtered = Aucun enregistrement ne correspond à ces filtres.
search-title = Rechercher
search-words = Mots à rechercher
search-hint = Chaque mot doit figurer dans le titre ou dans le texte, quelle que soit l'écriture. Les majuscules et les accents ne comptent pas.
search-button = Rechercher
search-none = Aucun résultat.
state-expired = expiré
state-ended = terminé
live-new = Nouveau :
live-lagged = De nombreux enregistrements sont arrivés en même temps ; rechargez la page pour les voir tous.
first-run-title = Vous ne faites pas encore partie d'un réseau
first-run-text = Pour travailler avec des partenaires dans un réseau fermé, collez le code d'invitation qu'un partenaire vous a donné.
first-run-link = Rejoindre un réseau

## Qui l'a dit (les marqueurs de confiance)
author-you = vous
author-partner = partenaire
author-blocked = bloquée
author-unverified = non vérifiée
author-unknown = auteur inconnu
author-vouched = { $n ->
    [one] attestée par { $n } partenaire
   *[other] attestée par { $n } partenaires
}
author-clash = conflit de noms

## Page d'un enregistrement
record-key = Empreinte de la clé
record-refs = Fait référence à
record-lookalikes = { $n ->
    [one] { $n } autre organisation a un nom qui ressemble à celui-ci
   *[other] { $n } autres organisations ont un nom qui ressemble à celui-ci
}
ref-missing = absent de ce nœud
add-partner-link = Ajouter cette organisation à vos partenaires

## Partenaires
partners-title = Partenaires
partners-intro = Les partenaires sont des organisations que votre organisation connaît et en qui elle a confiance. Leurs noms sont ceux que vous leur donnez ; leurs enregistrements et leurs cosignatures sont signalés comme les leurs.
partners-none = Aucun partenaire pour l'instant. Ajoutez-en un depuis l'un de ses enregistrements, ou avec sa clé ci-dessous.
partners-name = Nom sur ce nœud
partners-key = Clé
partners-status = Statut
partners-actions = Actions
status-partner = partenaire
status-blocked = bloquée
partners-remove = Retirer de la liste
partners-add-title = Ajouter un partenaire
partners-key-hint = La clé de l'organisation (64 caractères hexadécimaux), ou son début si une seule clé correspond.
partners-name-hint = Facultatif : le nom de cette organisation sur ce nœud (sinon, le nom indiqué dans son profil).
partners-add = Ajouter comme partenaire
partner-done-add = Organisation ajoutée à vos partenaires.
partner-done-remove = Organisation retirée de la liste.
partner-done-block = { $deleted ->
    [0] Organisation bloquée ; elle n'avait aucun enregistrement à supprimer.
    [one] Organisation bloquée ; { $deleted } de ses enregistrements a été supprimé.
   *[other] Organisation bloquée ; { $deleted } de ses enregistrements ont été supprimés.
}
block-title = Bloquer une organisation
block-intro = Ses enregistrements sont supprimés de ce nœud et ne seront plus jamais acceptés.
block-confirm = Oui, la bloquer et supprimer ses enregistrements
block-button = Bloquer
block-confirm-needed = Cochez la case de confirmation pour bloquer.
policy-title = Ce que ce nœud accepte
policy-accept = Accepter les enregistrements de
policy-open = tout le monde (dans la limite du quota)
policy-partners = vos partenaires, et les organisations cosignées par suffisamment de partenaires
policy-trust = Nombre de cosignatures de partenaires nécessaires
policy-quota = Enregistrements par organisation et par heure
policy-save = Enregistrer
policy-numbers = Indiquez des nombres entiers supérieurs ou égaux à 1.
policy-saved = Enregistré.

## Réseau
network-title = Réseau
network-which = Réseau
network-closed = réseau fermé
network-public = le réseau public
network-peer-id = Identifiant de pair de ce nœud
network-listen = En écoute sur
network-pillars = Piliers suivis
network-records = Enregistrements détenus
network-digest = Condensé des enregistrements
network-digest-hint = Deux nœuds qui détiennent les mêmes enregistrements affichent le même condensé.
peers-title = Pairs connectés
peers-none = Aucun pair n'est connecté.
peers-id = Pair
peers-address = Adresse
peers-pillars = Piliers
peers-mesh = Échanges sur
sync-button = Se synchroniser maintenant avec tous les pairs
sync-none = Aucun pair n'est connecté.
sync-done = Sessions de synchronisation : { $sessions } ; enregistrements reçus : { $stored } ; envoyés : { $pushed } ; sessions en échec : { $failed }.
dial-title = Se connecter à un pair
dial-address = Adresse
dial-hint = Une multiadresse comme /ip4/192.0.2.7/tcp/7654/p2p/12D3…
dial-button = Se connecter
dial-bad-address = Ce n'est pas une adresse
dial-done = Connecté à
dial-timeout = Aucune connexion établie en 20 secondes.
invite-title = Inviter un partenaire
invite-made = Invitation créée, valable jusqu'au
invite-qr-alt = Code QR du code d'invitation
invite-code = Code d'invitation
invite-warning = Quiconque a ce code peut rejoindre le réseau tant que l'invitation est ouverte : ne le donnez qu'à ce partenaire, par un moyen de communication de confiance. Il ne contient pas la clé du réseau : ce nœud la donne à qui utilise le code, gardez-le donc en marche. Sur sa machine : wsf join CODE, ou « Rejoindre un réseau » sur cette page.
invite-days-label = Valable pendant (jours)
invite-button = Créer une invitation
invite-days = Indiquez un nombre de jours entre 1 et 365.
join-title = Rejoindre un réseau
join-intro = Collez le code d'invitation qu'un partenaire vous a donné. Le nœud redémarre alors sur ce réseau, se connecte à ce partenaire et se met à jour ; l'organisation qui vous a invités devient votre premier partenaire.
join-code = Code d'invitation
join-button = Rejoindre
join-already = Ce nœud fait déjà partie d'un réseau fermé ; un nœud n'appartient qu'à un seul réseau (utilisez un autre répertoire de données pour un autre réseau).
join-bad-code = Ce code d'invitation ne fonctionne pas
join-done-title = Réseau rejoint
join-done = Le nœud redémarre sur le réseau. Ouvrez la page « Réseau » dans quelques secondes pour voir ses pairs. Réseau :
network-create-hint = Pour créer plutôt un nouveau réseau fermé, lancez `wsf network create NAME` pendant que le nœud est arrêté.

## Exporter et importer
carry-title = Exporter et importer
carry-intro = Les paquets transportent des enregistrements là où le réseau n'arrive pas : sur une clé USB, par e-mail, comme sauvegarde. Chaque enregistrement d'un paquet est signé ; l'importation vérifie chacun d'eux comme s'il venait d'un pair.
export-title = Exporter un paquet
export-intro = { $n ->
    [0] Ce nœud ne détient aucun enregistrement.
    [one] Ce nœud détient { $n } enregistrement.
   *[other] Ce nœud détient { $n } enregistrements.
}
export-pillars = Seulement ces piliers (si aucun n'est coché : tous)
export-button = Télécharger le paquet
import-title = Importer un paquet
import-intro = Les enregistrements déjà présents sont ignorés ; ceux qui sont falsifiés, endommagés ou refusés sont comptés mais pas conservés.
import-file = Fichier du paquet
import-passphrase = Phrase secrète d'un paquet chiffré
import-passphrase-hint = Laissez vide pour un paquet non chiffré.
import-progress = Envoi
import-button = Importer
import-no-file = Choisissez un fichier de paquet.
import-done = Paquet importé :
import-stored = { $n ->
    [one] { $n } enregistrement conservé
   *[other] { $n } enregistrements conservés
}
import-duplicate = { $n ->
    [one] { $n } déjà présent
   *[other] { $n } déjà présents
}
import-expired = { $n ->
    [one] { $n } expiré
   *[other] { $n } expirés
}
import-rejected = { $n ->
    [one] { $n } refusé :
   *[other] { $n } refusés :
}

## Effacement d'urgence
panic-title = Effacer ce nœud
panic-link = Tout effacer sur cet ordinateur maintenant (urgence)
panic-intro = Cela détruit la clé de ce répertoire de données, supprime ses fichiers, puis arrête le nœud. C'est irréversible. Vos enregistrements restent sur les nœuds de vos partenaires.
panic-encrypted = Ce répertoire de données est chiffré : une fois sa clé détruite, plus rien n'en est lisible, même sur le disque.
panic-plain = Ce répertoire de données n'est PAS chiffré : ses fichiers sont supprimés, mais le disque peut encore en garder des copies lisibles.
panic-confirm = Oui, effacer ce nœud maintenant
panic-type = Pour confirmer, tapez le mot
panic-word = effacer
panic-button = Effacer maintenant
panic-confirm-needed = Cochez la case et tapez le mot pour effacer.

unlock-title = Déverrouiller ce nœud
unlock-intro = Les données de ce nœud sont chiffrées. Tapez sa phrase de passe pour les ouvrir ; d'ici là, rien n'est partagé et rien ne peut être lu.
unlock-passphrase = Phrase de passe
unlock-button = Déverrouiller
unlock-wrong = Phrase de passe incorrecte. Rien n'a été modifié.
unlock-empty = Tapez la phrase de passe.
unlock-busy = Une phrase de passe est en cours de vérification ; attendez un instant et réessayez.
unlock-first = Le nœud est verrouillé : déverrouillez-le d'abord.
unlock-start-failed = La phrase de passe était juste, mais le nœud n'a pas pu démarrer :
invite-uses-label = Combien d'organisations peuvent l'utiliser
invite-uses-bad = Donnez un nombre d'organisations entre 1 et 1 000.
members-title = Membres
members-intro = Chaque membre a été accueilli par un autre membre. Les nœuds n'acceptent de connexions que des nœuds des membres actuels.
members-not-gated = Pas encore appliqué : ce réseau a été créé avant l'existence des membres. Un changement de clé par un administrateur termine la migration.
members-one-admin = Nommez un second administrateur, pour qu'un seul ordinateur saisi ne mette pas fin au réseau.
members-member = Membre
members-invited-by = Invité par
members-since = Depuis
members-role = Rôle
members-actions = Actions
members-you = vous
members-founded = a fondé le réseau
members-before = membre d'avant l'existence des membres
members-founder = fondateur
members-admin = administrateur
members-make-admin = Nommer administrateur
members-remove = Retirer
members-removed-title = Anciens membres
members-left = est parti
members-removed-by = retiré par
members-epoch = Époque de la clé du réseau :
members-done-admin = Fait : le membre est maintenant administrateur.
members-done-remove = Retiré : ses nœuds sont refusés désormais. Changez la clé maintenant, pour que sa copie de l'ancienne clé cesse de fonctionner à la fin du délai de grâce.
members-done-leave = Cette organisation a quitté le réseau ; les autres nœuds refusent désormais ce nœud.
members-done-rekey = Nouvelle clé créée et scellée pour chaque membre. Les nœuds en ligne basculent en quelques secondes ; les membres hors ligne pendant tout le délai de grâce doivent être invités à nouveau.
rekey-title = Changer la clé du réseau
rekey-intro = Une nouvelle clé, lisible seulement par les membres actuels. Les publications et l'historique restent. L'ancienne clé est encore acceptée pendant les jours ci-dessous, puis refusée.
rekey-days = Ancienne clé acceptée pendant (jours)
rekey-button = Changer la clé
rekey-days-bad = Indiquez un nombre de jours de 1 à 90.
leave-title = Quitter le réseau
leave-confirm = Je comprends : les autres nœuds refuseront ce nœud ; seule une nouvelle invitation le fera revenir.
leave-button = Quitter le réseau
leave-unconfirmed = Cochez la case pour confirmer que cette organisation part.
peers-relayed = relayé
